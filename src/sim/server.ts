/**
 * An OpenAI-compatible HTTP server over ModelClients (node:http only), so anything that speaks
 * the OpenAI API - including the runtime's own client - can talk to the simulated models.
 *
 * - POST /v1/chat/completions: dispatches on the request's `model` to the named client; answers in
 *   the chat.completion shape with usage and an `x-request-id` header, or with `stream: true` as
 *   server-sent chat.completion.chunk events (the reply in pieces, then the usage when
 *   `stream_options.include_usage` is set, then `[DONE]`); `streaming: false` refuses streaming
 *   with a 400, as servers without it do.
 * - GET /v1/models: the served model names.
 * - POST /v1/embeddings: model `sim-embed`, the hashed bag-of-words embedding of src/sim/embedding.ts.
 * - Errors in OpenAI's JSON shape: 400 bad body, 404 unknown model or route, 500 model failure.
 * - A FaultPlan injects failures deterministically: the first `status429` completion requests get
 *   429 (with `retry-after-ms: 1`), the next `status500` get 500, the next `hang` requests
 *   (default 1 when `hangMs` is set) wait `hangMs` before answering.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelError, type ChatMessage, type ChatRole, type CompletionResult, type ModelClient } from '../models/types.js';
import { sleep } from './latency.js';
import { SIM_EMBEDDING_DIM, SIM_EMBEDDING_MODEL, simEmbed } from './embedding.js';
import { hashString } from './rng.js';

export { createSimModels, type SimModels, type SimModelsOptions } from './models.js';

export interface FaultPlan {
  status429?: number;
  status500?: number;
  /** How many requests (after the 429s and 500s) hang. Default 1 when hangMs is set. */
  hang?: number;
  hangMs?: number;
}

export interface ModelServerOptions {
  models: Record<string, ModelClient>;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  faults?: FaultPlan;
  /** Answer `stream: true` requests as server-sent events (default true); false: a 400 error. */
  streaming?: boolean;
  /** Largest accepted request body in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
}

export interface ModelServer {
  /** Base URL ending in /v1, for `new OpenAI({ baseURL: url })`. */
  url: string;
  close(): Promise<void>;
  /** Chat completion requests received so far (faulted ones included). */
  readonly requests: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: HttpError, headers: Record<string, string> = {}): void {
  send(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } }, headers);
}

/** A completion as server-sent chat.completion.chunk events: the text in pieces of a few words, then the usage. */
function sendStream(res: ServerResponse, result: CompletionResult, request: ParsedRequest, headers: Record<string, string>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  const id = `chatcmpl-sim${hashString(result.text).toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = result.responseModel ?? request.model;
  const event = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, ...extra })}\n\n`);
  const pieces = result.text.match(/\S*\s*/g)?.filter(Boolean) ?? [];
  event([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]);
  for (let i = 0; i < pieces.length; i += 4) event([{ index: 0, delta: { content: pieces.slice(i, i + 4).join('') }, finish_reason: null, logprobs: null }]);
  event([{ index: 0, delta: {}, finish_reason: result.finishReason, logprobs: null }]);
  if (request.includeUsage) {
    const u = result.usage;
    event([], {
      usage: {
        prompt_tokens: u.inputTokens,
        completion_tokens: u.outputTokens,
        total_tokens: u.inputTokens + u.outputTokens,
        prompt_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
        completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
      },
    });
  }
  res.end('data: [DONE]\n\n');
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `Request body is larger than ${limit} bytes.`, 'invalid_request_error'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const ROLES: Record<string, ChatRole> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant' };

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join('');
  }
  throw new HttpError(400, 'Each message content must be a string or an array of text parts.', 'invalid_request_error', null, 'messages');
}

interface ParsedRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens: number | undefined;
  /** Answer as server-sent events; with the usage at the end when includeUsage. */
  stream: boolean;
  includeUsage: boolean;
}

function parseRequest(text: string): ParsedRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.', 'invalid_request_error');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'The request body must be a JSON object.', 'invalid_request_error');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '') throw new HttpError(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter', 'model');
  if (!Array.isArray(b.messages) || b.messages.length === 0) throw new HttpError(400, "Missing required parameter: 'messages' (a non-empty array).", 'invalid_request_error', 'missing_required_parameter', 'messages');
  const messages: ChatMessage[] = [];
  for (const m of b.messages as unknown[]) {
    if (!m || typeof m !== 'object') throw new HttpError(400, 'Each message must be an object with role and content.', 'invalid_request_error', null, 'messages');
    const { role, content } = m as { role?: unknown; content?: unknown };
    const mapped = typeof role === 'string' ? ROLES[role] : undefined;
    if (!mapped) {
      if (role === 'tool' || role === 'function') continue;
      throw new HttpError(400, `Invalid message role: ${JSON.stringify(role)}.`, 'invalid_request_error', null, 'messages');
    }
    messages.push({ role: mapped, content: contentText(content) });
  }
  const max = b.max_completion_tokens ?? b.max_tokens;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new HttpError(400, 'max_tokens must be a positive integer.', 'invalid_request_error', 'invalid_value', 'max_tokens');
  }
  const streamOptions = b.stream_options && typeof b.stream_options === 'object' ? (b.stream_options as { include_usage?: unknown }) : {};
  return { model: b.model, messages, maxTokens: typeof max === 'number' ? max : undefined, stream: b.stream === true, includeUsage: streamOptions.include_usage === true };
}

export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const faults = options.faults ?? {};
  const n429 = faults.status429 ?? 0;
  const n500 = faults.status500 ?? 0;
  const nHang = faults.hang ?? (faults.hangMs ? 1 : 0);
  const limit = options.maxBodyBytes ?? 64 * 1024 * 1024;
  let requests = 0;
  let served = 0;
  const created = Math.floor(Date.now() / 1000);

  async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++requests;
    const requestId = `req_sim_${n.toString(36)}_${hashString(String(n), created).toString(36)}`;
    const headers = { 'x-request-id': requestId };
    // Read the body first so the connection stays usable whatever the answer.
    const body = await readBody(req, limit);
    if (n <= n429) {
      sendError(res, new HttpError(429, 'Rate limit reached (injected by the fault plan). Retry after 1 ms.', 'requests', 'rate_limit_exceeded'), { ...headers, 'retry-after-ms': '1', 'retry-after': '0' });
      return;
    }
    if (n <= n429 + n500) {
      sendError(res, new HttpError(500, 'The server had an error (injected by the fault plan).', 'server_error'), headers);
      return;
    }
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) controller.abort(new Error('client closed the connection'));
    });
    const parsed = parseRequest(body);
    if (parsed.stream && options.streaming === false) throw new HttpError(400, 'Streaming is not supported by this server; send stream: false.', 'invalid_request_error', 'unsupported_parameter', 'stream');
    const model = options.models[parsed.model];
    if (!model) {
      throw new HttpError(404, `The model \`${parsed.model}\` does not exist. Served models: ${Object.keys(options.models).join(', ')}.`, 'invalid_request_error', 'model_not_found', 'model');
    }
    if (n <= n429 + n500 + nHang && faults.hangMs) {
      await sleep(faults.hangMs, controller.signal).catch(() => undefined);
      if (controller.signal.aborted) return;
    }
    let result;
    try {
      result = await model.complete({ messages: parsed.messages, maxOutputTokens: parsed.maxTokens, signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) return;
      const status = err instanceof ModelError && err.status ? err.status : 500;
      throw new HttpError(status, `The model failed: ${err instanceof Error ? err.message : String(err)}`, 'server_error');
    }
    served++;
    if (parsed.stream) {
      sendStream(res, result, parsed, headers);
      return;
    }
    send(
      res,
      200,
      {
        id: `chatcmpl-sim${served.toString(36)}${hashString(result.text).toString(36)}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: result.responseModel ?? parsed.model,
        choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, finish_reason: result.finishReason, logprobs: null }],
        usage: {
          prompt_tokens: result.usage.inputTokens,
          completion_tokens: result.usage.outputTokens,
          total_tokens: result.usage.inputTokens + result.usage.outputTokens,
          prompt_tokens_details: { cached_tokens: result.usage.cachedTokens ?? 0 },
          completion_tokens_details: { reasoning_tokens: result.usage.reasoningTokens ?? 0 },
        },
        system_fingerprint: null,
      },
      headers,
    );
  }

  /** POST /v1/embeddings with model `sim-embed` (any other name is unknown): see src/sim/embedding.ts. */
  async function embeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    const body = JSON.parse((await readBody(req, limit)) || '{}') as { model?: string; input?: string | string[]; dimensions?: number };
    if (body.model !== SIM_EMBEDDING_MODEL) throw new HttpError(404, `The embedding model \`${String(body.model)}\` does not exist. Served: ${SIM_EMBEDDING_MODEL}.`, 'invalid_request_error', 'model_not_found', 'model');
    const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.map(String) : undefined;
    if (!inputs) throw new HttpError(400, '"input" must be a string or an array of strings', 'invalid_request_error', null, 'input');
    const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.floor(body.dimensions) : SIM_EMBEDDING_DIM;
    const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    send(res, 200, {
      object: 'list',
      model: SIM_EMBEDDING_MODEL,
      data: inputs.map((t, index) => ({ object: 'embedding', index, embedding: simEmbed(t, dims) })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    const handle = async (): Promise<void> => {
      if (req.method === 'POST' && url === '/v1/chat/completions') return completions(req, res);
      if (req.method === 'POST' && url === '/v1/embeddings') return embeddings(req, res);
      if (req.method === 'GET' && url === '/v1/models') {
        send(res, 200, { object: 'list', data: Object.keys(options.models).map((id) => ({ id, object: 'model', created, owned_by: 'accrete-sim' })) });
        return;
      }
      const model = /^\/v1\/models\/(.+)$/.exec(url);
      if (req.method === 'GET' && model) {
        const id = decodeURIComponent(model[1]);
        if (options.models[id]) send(res, 200, { id, object: 'model', created, owned_by: 'accrete-sim' });
        else throw new HttpError(404, `The model \`${id}\` does not exist.`, 'invalid_request_error', 'model_not_found', 'model');
        return;
      }
      throw new HttpError(404, `No route ${req.method} ${url}. This server serves POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models.`, 'invalid_request_error', 'unknown_url');
    };
    handle().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      sendError(res, err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err), 'server_error'));
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
