/**
 * `accrete mcp` through the official SDK's own client over stdio: the built command as a client
 * starts it (node dist/src/cli/main.js mcp), a temporary database and the simulated models.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDbDir } from '../helpers/db.js';

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

let dir: string;
let client: Client;
let stderr = '';
const protocolErrors: Error[] = [];

interface RunResult {
  runId: string;
  status: string;
  answer: string | null;
  iterations: number;
  llmCalls: number;
}

async function call(name: string, args: Record<string, unknown>) {
  return client.callTool({ name, arguments: args });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build; npm ci does it through prepare)`);
  dir = mkdtempSync(join(tmpdir(), 'accrete-mcp-'));
  writeFileSync(join(dir, 'tickets.txt'), 'refund please\nwhere is my parcel\nI want a refund\n');
  await seedDbDir(join(dir, 'db')); // migrated already
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [MAIN, 'mcp', '--db', join(dir, 'db'), '--model', 'sim:root?bugRate=0&sloppyRate=0&seed=3', '--library', join(dir, 'library')],
    cwd: dir,
    env: { ...(process.env as Record<string, string>), DATABASE_URL: '', ACCRETE_DB: '', CI: '1' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'accrete-test', version: '0.0.0' });
  // Anything on stdout that is not a protocol message surfaces here (the client cannot parse it).
  client.onerror = (err) => protocolErrors.push(err);
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('accrete mcp', () => {
  it('lists its tools, each with an input and an output schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['library_list', 'library_show', 'run', 'runs', 'show']);
    for (const t of tools) {
      expect(t.description, t.name).toBeTruthy();
      expect(t.inputSchema.type).toBe('object');
      expect(t.outputSchema?.type, t.name).toBe('object');
    }
    const run = tools.find((t) => t.name === 'run')!;
    expect(run.inputSchema.required).toEqual(['query']);
    expect(Object.keys(run.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['query', 'context', 'contextFile', 'budgets']));
  });

  it('runs a query (text or a file), lists the runs and shows one; bad input is a tool error that says why', async () => {
    const byText = await call('run', { query: 'How many lines mention a refund?', context: 'refund please\nwhere is my parcel\nI want a refund\n' });
    expect(byText.isError, JSON.stringify(byText.content)).toBe(false);
    const first = byText.structuredContent as unknown as RunResult;
    expect(first).toMatchObject({ status: 'succeeded', runId: expect.any(String), answer: expect.any(String) });
    expect(first.llmCalls).toBeGreaterThan(0);

    // Asked with a progress token: each step, model call and batch is a progress notification.
    const progress: string[] = [];
    const byFile = await client.callTool(
      { name: 'run', arguments: { query: 'How many lines mention a refund?', contextFile: join(dir, 'tickets.txt'), budgets: { maxIterations: 6 } } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? ''), resetTimeoutOnProgress: true },
    );
    const second = byFile.structuredContent as unknown as RunResult;
    expect(second.status).toBe('succeeded');
    expect(progress[0]).toBe('step 1');
    expect(progress).toContain('run succeeded');
    expect(progress.filter((m) => /model call ok/.test(m))).toHaveLength(second.llmCalls);

    const listed = await call('runs', { limit: 5 });
    const runs = (listed.structuredContent as { runs: { runId: string; status: string; query: string }[] }).runs;
    expect(runs.map((r) => r.runId).sort()).toEqual([first.runId, second.runId].sort());
    expect(runs.every((r) => r.status === 'succeeded' && r.query === 'How many lines mention a refund?')).toBe(true);

    const shown = await call('show', { runId: first.runId.slice(0, 8) });
    const run = (shown.structuredContent as { run: { id: string; answer: string; steps: { code?: unknown }[]; modelCalls: unknown[] } }).run;
    expect(run.id).toBe(first.runId);
    expect(run.answer).toBe(first.answer);
    expect(run.steps.length).toBe(first.iterations);
    expect(run.modelCalls.length).toBe(first.llmCalls);

    const missingFile = await call('run', { query: 'q', contextFile: join(dir, 'nope.txt') });
    expect(missingFile.isError).toBe(true);
    expect(JSON.stringify(missingFile.content)).toMatch(/cannot read the context file .*nope\.txt: no such file/);
    const unknownRun = await call('show', { runId: 'ffffffff' });
    expect(unknownRun.isError).toBe(true);
    expect(JSON.stringify(unknownRun.content)).toMatch(/no run ffffffff in this database/);
    const badStatus = await call('runs', { status: 'bogus' });
    expect(badStatus.isError).toBe(true);
  });

  it('lists the library (empty here) and says when a function does not exist', async () => {
    const listed = await call('library_list', {});
    expect(listed.structuredContent).toEqual({ functions: [] });
    const shown = await call('library_show', { name: 'countRefunds' });
    expect(shown.isError).toBe(true);
    expect(JSON.stringify(shown.content)).toMatch(/no library function countRefunds/);
  });

  it('wrote nothing but the protocol to standard output', () => {
    expect(protocolErrors).toEqual([]);
    expect(stderr).toMatch(/serving the Model Context Protocol on stdio/);
  });
});
