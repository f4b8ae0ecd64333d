/**
 * `accrete chat` in a pseudo-terminal (util-linux `script`) with --tools and --context-schema, as a
 * user runs it: a real process, the real openai client against the local test server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { loadToolsFile, readSchemaFile } from '../../src/cli/tools-file.js';
import { commandArgv } from '../helpers/cli.js';
import { seedDbDir } from '../helpers/db.js';
import { js, type ScriptedServer, scriptedServer } from '../helpers/models.js';


let dir: string;
let db: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accrete-chat-'));
  db = join(dir, 'db');
  await seedDbDir(db); // migrated already: the chat starts sooner
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
  it('answers query after query in a terminal with --tools and --context-schema; variables kept; each turn is a run of one session', async () => {
    writeFileSync(
      join(dir, 'tools.mjs'),
      `export default {
  double: { description: 'Doubles a number.', parameters: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }, handler: ({ n }) => ({ value: n * 2 }) },
};\n`,
    );
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'string', description: 'words separated by single spaces' }));
    const server = await scriptedServer([
      js('const words = context.split(" ");\nFINAL(String((await tools.double({ n: words.length })).value))'),
      js('FINAL(words.map((w) => w.toUpperCase()).join(","))'),
    ]);
    try {
      const args = ['chat', '--context-file', 'words.txt', '--tools', 'tools.mjs', '--context-schema', 'schema.json', ...modelArgs(server)];
      const command = [process.execPath, ...commandArgv(), ...args].map(quote).join(' ');
      // script gives the command a pseudo-terminal: stdin.isTTY is true there, as in a user's terminal.
      const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: dir, env: env() });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
      await waitFor(() => out, 'accrete> ');
      expect(out).toMatch(/accrete: session [0-9a-f-]{36}\. One query a line/);
      child.stdin.write('Twice the number of words?\r');
      await waitFor(() => out, /\r?\n6\r?\n/);
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
      const runs = await database.query<{ id: string; session_id: string; session_turn: number; query: string; answer: string }>('select id, session_id, session_turn, query, answer from runs where session_id is not null order by session_turn');
      expect(runs.map((r) => [r.session_turn, r.query, r.answer])).toEqual([
        [1, 'Twice the number of words?', '6'],
        [2, 'Upper-case them', 'ALPHA,BETA,GAMMA'],
      ]);
      expect(runs[0].session_id).toBe(runs[1].session_id);
      const [call] = await database.query<{ request_messages: { content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root'", [runs[0].id]);
      expect(call.request_messages[0].content).toContain('- tools.double(args): Doubles a number.');
      expect(call.request_messages[1].content).toContain('words separated by single spaces');
      const tools = await database.query<{ name: string; status: string; result: unknown }>('select name, status, result from tool_calls where run_id = $1', [runs[0].id]);
      expect(tools).toEqual([{ name: 'double', status: 'ok', result: { value: 6 } }]);
    } finally {
      await database.close();
    }
  });
});

describe('--tools and --context-schema files', () => {
  it('say what is wrong with a file that cannot be used', async () => {
    await expect(loadToolsFile(join(dir, 'missing.mjs'))).rejects.toThrow(/no such file\. It must be an ES module/);
    writeFileSync(join(dir, 'none.mjs'), 'export const other = 1;\n');
    await expect(loadToolsFile(join(dir, 'none.mjs'))).rejects.toThrow(/must export its tools as the default export or as `tools`/);
    writeFileSync(join(dir, 'broken.mjs'), 'export default {\n');
    await expect(loadToolsFile(join(dir, 'broken.mjs'))).rejects.toThrow(/the module could not be loaded/);
    writeFileSync(join(dir, 'bad.json'), '[1, 2]');
    expect(() => readSchemaFile(join(dir, 'bad.json'))).toThrow(/must hold a JSON Schema object/);
  });
});
