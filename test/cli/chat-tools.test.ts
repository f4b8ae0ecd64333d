/**
 * `accrete chat` in a pseudo-terminal (util-linux `script`), and `accrete run --tools/--context-schema`,
 * as a user runs them: real processes, the real openai client against the local test server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { runAccrete } from '../helpers/cli.js';
import { js, type ScriptedServer, scriptedServer } from '../helpers/models.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accrete-chat-'));
  db = join(dir, 'db');
  writeFileSync(join(dir, 'words.txt'), 'alpha beta gamma');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = () => ({ ...process.env, ACCRETE_DB: db, DATABASE_URL: '', CI: '1', OPENAI_API_KEY: 'sk-test', ACCRETE_LIBRARY_DIR: join(dir, 'library') });
const modelArgs = (server: ScriptedServer) => ['--model', 'test-root', '--sub-model', 'test-sub', '--base-url', server.url, '--no-library'];
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Waits until `text` has appeared in what the process wrote (no time limit of its own: the test's applies). */
function waitFor(out: () => string, text: string | RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const o = out();
      if (typeof text === 'string' ? o.includes(text) : text.test(o)) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}

describe('accrete chat', () => {
  it('answers query after query in a terminal, with variables kept; each turn is a run of one session', async () => {
    const server = await scriptedServer([js('const words = context.split(" ");\nFINAL(String(words.length))'), js('FINAL(words.map((w) => w.toUpperCase()).join(","))')]);
    try {
      const command = [process.execPath, '--import', TSX, MAIN, 'chat', '--context-file', 'words.txt', ...modelArgs(server)].map(quote).join(' ');
      // script gives the command a pseudo-terminal: stdin.isTTY is true there, as in a user's terminal.
      const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, env: env() });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
      await waitFor(() => out, 'accrete> ');
      expect(out).toMatch(/accrete: session [0-9a-f-]{36}\. One query a line/);
      child.stdin.write('How many words?\r');
      await waitFor(() => out, /\r?\n3\r?\n/);
      child.stdin.write('Upper-case them\r');
      await waitFor(() => out, 'ALPHA,BETA,GAMMA');
      child.stdin.write('/exit\r');
      expect(await exited).toBe(0);
      expect(out).toMatch(/session [0-9a-f-]{36} ended after 2 queries/);
    } finally {
      await server.close();
    }
    const database = await openDatabase(db);
    try {
      const runs = await database.query<{ session_id: string; session_turn: number; query: string; answer: string }>('select session_id, session_turn, query, answer from runs where session_id is not null order by session_turn');
      expect(runs.map((r) => [r.session_turn, r.query, r.answer])).toEqual([
        [1, 'How many words?', '3'],
        [2, 'Upper-case them', 'ALPHA,BETA,GAMMA'],
      ]);
      expect(runs[0].session_id).toBe(runs[1].session_id);
    } finally {
      await database.close();
    }
  });
});

describe('accrete run --tools and --context-schema', () => {
  it('loads tools from an ES module and shows a schema file to the model', async () => {
    writeFileSync(
      join(dir, 'tools.mjs'),
      `export default {
  double: { description: 'Doubles a number.', parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }, handler: ({ n }) => ({ value: n * 2 }) },
};\n`,
    );
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'array', items: { type: 'number', description: 'a reading in kelvin' } }));
    writeFileSync(join(dir, 'readings.json'), '[21, 4]');
    const server = await scriptedServer([js('FINAL((await tools.double({ n: context[0] })).value)')]);
    try {
      const r = await runAccrete(['run', 'Double the first', '--context-file', 'readings.json', '--tools', 'tools.mjs', '--context-schema', 'schema.json', '--json', ...modelArgs(server)], { cwd: dir, env: { ACCRETE_DB: db, OPENAI_API_KEY: 'sk-test' } });
      expect(r.stderr).toBe('');
      const summary = JSON.parse(r.stdout) as { runId: string; answer: string };
      expect(summary.answer).toBe('42');
      const database = await openDatabase(db);
      try {
        const [call] = await database.query<{ request_messages: { content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root'", [summary.runId]);
        expect(call.request_messages[0].content).toContain('- tools.double(args): Doubles a number.');
        expect(call.request_messages[1].content).toContain('a reading in kelvin');
        const tools = await database.query<{ name: string; status: string }>('select name, status from tool_calls where run_id = $1', [summary.runId]);
        expect(tools).toEqual([{ name: 'double', status: 'ok' }]);
      } finally {
        await database.close();
      }
    } finally {
      await server.close();
    }
    const bad = await runAccrete(['run', 'q', '--context', 'x', '--tools', 'missing.mjs', ...modelArgs(server)], { cwd: dir, env: { ACCRETE_DB: db } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tools missing\.mjs: no such file\. It must be an ES module/);
  });
});
