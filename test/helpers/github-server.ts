/**
 * A local HTTP server that speaks the part of the GitHub REST API a promotion uses: list and create
 * pull requests (GET/POST /repos/:owner/:repo/pulls). It records every request and answers 401
 * without `authorization: token <token>` (or `Bearer <token>`), as GitHub does.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: Record<string, unknown>;
}

export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  html_url: string;
}

export interface GitHubServer {
  /** Base URL for Octokit (`baseUrl`), like GITHUB_API_URL. */
  url: string;
  token: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

export async function startGitHubServer(options: { token?: string; owner?: string; repo?: string } = {}): Promise<GitHubServer> {
  const token = options.token ?? 'ghp_test_token';
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'library';
  const requests: RecordedRequest[] = [];
  const pulls: FakePull[] = [];
  const toApi = (p: FakePull) => ({
    number: p.number,
    title: p.title,
    body: p.body,
    state: p.state,
    html_url: p.html_url,
    head: { ref: p.head, label: `${owner}:${p.head}` },
    base: { ref: p.base },
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = req.method === 'POST' || req.method === 'PATCH' ? await readBody(req) : '';
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined,
    };
    requests.push(recorded);
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
      send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }
    if (url.pathname !== `/repos/${owner}/${repo}/pulls`) {
      send(res, 404, { message: 'Not Found' });
      return;
    }
    if (req.method === 'GET') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      send(res, 200, pulls.filter((p) => (state === 'all' || p.state === state) && (!head || `${owner}:${p.head}` === head)).map(toApi));
      return;
    }
    if (req.method === 'POST') {
      const b = recorded.body ?? {};
      if (typeof b.title !== 'string' || typeof b.head !== 'string' || typeof b.base !== 'string') {
        send(res, 422, { message: 'Validation Failed' });
        return;
      }
      if (pulls.some((p) => p.state === 'open' && p.head === b.head)) {
        send(res, 422, { message: 'Validation Failed', errors: [{ message: `A pull request already exists for ${owner}:${b.head}.` }] });
        return;
      }
      const number = pulls.length + 1;
      const pull: FakePull = {
        number,
        title: b.title,
        body: typeof b.body === 'string' ? b.body : '',
        head: b.head,
        base: b.base,
        state: 'open',
        html_url: `https://github.example/${owner}/${repo}/pull/${number}`,
      };
      pulls.push(pull);
      send(res, 201, toApi(pull));
      return;
    }
    send(res, 405, { message: 'Method Not Allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    pulls,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
