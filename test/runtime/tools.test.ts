/** Custom tools through the real runtime: scripted replies over HTTP, the real sandbox, the tool_calls log. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime, type RuntimeOptions, ScriptedModel, type ToolSet } from '../../src/index.js';
import { exportRuns, importLines } from '../../src/trace/interchange.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
});

const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => db.query<T>(sql, params);

async function runWithTools(root: string[], tools: ToolSet, options: Partial<RuntimeOptions> = {}) {
  const server = await scriptedServer(root);
  const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false, tools, ...options });
  try {
    return await runtime.run({ query: 'What is the weather?', context: 'Paris\nOslo' });
  } finally {
    await runtime.close();
    await server.close();
  }
}

const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string', minLength: 1 }, days: { type: 'integer', minimum: 1, maximum: 7 } },
  required: ['city'],
  additionalProperties: false,
};

describe('custom tools', () => {
  it('are listed in the system prompt, called with validated JSON, and logged', async () => {
    const seen: { args: unknown; runId: string }[] = [];
    const tools: ToolSet = {
      weather: {
        description: 'Current weather of a city.',
        parameters: weatherSchema,
        handler: async (args, { runId }) => {
          seen.push({ args, runId });
          const { city } = args as { city: string };
          return { city, tempC: city === 'Paris' ? 18 : 9, tags: ['ok'] };
        },
      },
    };
    const summary = await runWithTools(
      [
        js(`// a host function never enters the sandbox: tools.weather is the prelude's stub
print(typeof tools.weather, Object.keys(tools).join(','), String(tools.weather).includes('SECRET_HANDLER_BODY'));
const r = await tools.weather({ city: 'Paris' });
print(r.tempC, r.tags[0]);
try { await tools.weather({ city: 'Oslo', days: 30 }); } catch (e) { print('E1', e.message); }
try { await tools.nope({}); } catch (e) { print('E2', e.message); } // refused in the sandbox: an unknown name never reaches the host`),
        js('FINAL(String((await tools.weather({ city: "Oslo" })).tempC))'),
      ],
      tools,
    );
    expect(summary).toMatchObject({ status: 'succeeded', answer: '9' });
    expect(seen.map((s) => s.args)).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
    expect(seen.every((s) => s.runId === summary.runId)).toBe(true);

    const calls = await q<{ request_messages: { role: string; content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root' order by seq", [summary.runId]);
    const system = calls[0].request_messages[0].content;
    expect(system).toContain('## Tools');
    expect(system).toContain('- tools.weather(args): Current weather of a city.');
    expect(system).toContain('"required":["city"]');
    const feedback = calls[1].request_messages.at(-1)!.content;
    expect(feedback).toContain('function weather false');
    expect(feedback).toContain('18 ok');
    expect(feedback).toMatch(/E1 tools\.weather\(args\): the arguments do not match its parameters: args\/days must be <= 7/);
    expect(feedback).toMatch(/E2 tools\.nope is not a tool; available: weather/);

    const rows = await q<{ name: string; args: unknown; result: unknown; status: string; error: string | null; seq: number; program_id: string | null }>(
      'select name, args, result, status, error, seq, program_id from tool_calls where run_id = $1 order by seq',
      [summary.runId],
    );
    expect(rows.map((r) => [r.name, r.status])).toEqual([
      ['weather', 'ok'],
      ['weather', 'rejected'],
      ['weather', 'ok'],
    ]);
    expect(rows[0]).toMatchObject({ args: { city: 'Paris' }, result: { city: 'Paris', tempC: 18, tags: ['ok'] }, error: null });
    expect(rows[1].error).toContain('args/days must be <= 7');
    expect(rows.every((r) => r.program_id)).toBe(true);

    // exported with the run, and imported back into another database
    const exported = [];
    for await (const r of exportRuns(db)) if (r.id === summary.runId) exported.push(r);
    expect(exported[0].toolCalls?.map((c) => c.status)).toEqual(['ok', 'rejected', 'ok']);
    const other = await memoryDb();
    try {
      const report = await importLines(other, [JSON.stringify(exported[0])]);
      expect(report).toMatchObject({ imported: 1, errors: [] });
      const back = await other.query<{ n: number }>('select count(*)::int as n from tool_calls where run_id = $1', [summary.runId]);
      expect(back[0].n).toBe(3);
    } finally {
      await other.close();
    }
  });

  it('count against --max-tool-calls and the step timeout; a non-JSON result or a throw is an error the model sees', async () => {
    let aborted = false;
    const tools: ToolSet = {
      slow: {
        description: 'Never answers.',
        parameters: { type: 'object' },
        handler: (_args, { signal }) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve('late');
            });
          }),
      },
      date: { description: 'Returns a Date.', parameters: {}, handler: () => new Date(0) },
      boom: { description: 'Throws.', parameters: {}, handler: () => { throw new Error('disk on fire'); } },
      nothing: { description: 'Returns nothing.', parameters: {}, handler: () => undefined },
    };
    const summary = await runWithTools(
      [
        js(`for (const [name, args] of [['date', 1], ['boom', null], ['nothing', 'x'], ['slow', {}], ['date', 2]]) {
  try { print(name, JSON.stringify(await tools[name](args))); } catch (e) { print(name, 'ERR', e.message); }
}`),
        js('FINAL("done")'),
      ],
      tools,
      { budgets: { maxToolCalls: 4, stepTimeoutMs: 5_000 } },
    );
    expect(summary.status).toBe('succeeded');
    expect(aborted).toBe(true);
    const [, second] = await q<{ request_messages: { content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root' order by seq", [summary.runId]);
    const out = second.request_messages.at(-1)!.content;
    expect(out).toMatch(/date ERR tools\.date returned a value that is not JSON \(the result: a Date is not a plain JSON object\)/);
    expect(out).toContain('boom ERR tools.boom failed: disk on fire');
    expect(out).toContain('nothing null');
    expect(out).toMatch(/slow ERR tools\.slow: no result within the time left to the step/);
    expect(out).toMatch(/date ERR tools\.date: the tool call budget \(4 calls, --max-tool-calls\) is used up/);
    const rows = await q<{ name: string; status: string }>('select name, status from tool_calls where run_id = $1 order by seq', [summary.runId]);
    expect(rows.map((r) => `${r.name}:${r.status}`)).toEqual(['date:error', 'boom:error', 'nothing:ok', 'slow:error', 'date:rejected']);
  });

  it('refuses a tool set that cannot be used, saying what is wrong', async () => {
    const handler = () => null;
    const m = { model: new ScriptedModel({ responses: ['x'] }), subModel: new ScriptedModel({ responses: ['x'] }) };
    await expect(createRuntime({ db, library: false, ...m, tools: { 'bad-name': { description: 'x', parameters: {}, handler } } })).rejects.toThrow(/must be a JavaScript identifier/);
    await expect(createRuntime({ db, library: false, ...m, tools: { t: { description: '', parameters: {}, handler } } })).rejects.toThrow(/"description" must be a non-empty string/);
    await expect(createRuntime({ db, library: false, ...m, tools: { t: { description: 'x', parameters: { type: 'nonsense' }, handler } } })).rejects.toThrow(/"parameters" is not a valid JSON Schema/);
  });
});
