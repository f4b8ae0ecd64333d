/**
 * A function whose loop of model calls was batched still reproduces its members: members that ask
 * the model one paragraph at a time run through the real runtime and sandbox (a scripted root, the
 * simulated leaf) into an in-memory database; the generalized function makes one llmBatch call, and
 * replay (miner/verify/replay.ts, which answers sub-calls from the recorded ones) reproduces every
 * member. A fold beside it stays sequential and reproduces too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocksOf } from '../../../miner/cluster/store.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { MemberRun } from '../../../miner/generalize/members.js';
import { compileCandidate } from '../../../miner/verify/compile.js';
import { replayMember } from '../../../miner/verify/replay.js';
import type { Database } from '../../../src/db/connection.js';
import { ScriptedModel } from '../../../src/models/scripted.js';
import { createRuntime } from '../../../src/runtime/runtime.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';
import { memoryDb } from '../../helpers/db.js';
import { js } from '../../helpers/models.js';
import { useSimModels } from '../../helpers/sim.js';
import { cluster } from './helpers.js';

useSimModels();

const TEXTS = [
  'The harbour of Lisbon handled 12 ships in May.\n\nRivers in the north flooded twice this year.\n\nThe council approved a new budget for schools.',
  'A storm closed the airport for two days.\n\nThe museum opened a new wing for modern art.\n\nPrices of bread rose by ten percent.\n\nBakers blamed the cost of flour.',
  'Teachers welcomed the decision of the board.\n\nFlights resumed on Friday morning after the storm.',
];

const loop = (topic: string) =>
  `const parts = context.split("\\n\\n");\nconst notes = [];\nfor (const part of parts) {\n  notes.push(await llm("Summarize what this paragraph says about ${topic}.", part));\n}\nFINAL(notes.join("\\n"));`;
const fold = (topic: string) =>
  `const parts = context.split("\\n\\n");\nlet summary = "";\nfor (const part of parts) {\n  summary = await llm("Summarize what this paragraph says about ${topic}. Earlier summary: " + summary, part);\n}\nFINAL(summary);`;

let db: Database;
let pool: SandboxPool;

/** Runs each program once through the runtime (one scripted root turn each) and reads them back as members. */
async function logged(programs: string[], queries: readonly string[] = []): Promise<MemberRun[]> {
  const root = new ScriptedModel({ responses: programs.map((p) => js(p)), whenExhausted: 'error', name: 'script-batch' });
  const runtime = await createRuntime({ db, model: root, subModel: 'sim:leaf?seed=3&errorRate=0', library: false });
  const ids: string[] = [];
  try {
    for (const [i, text] of programs.map((_, i) => TEXTS[i % TEXTS.length]).entries()) {
      const s = await runtime.run({ query: queries[i] ?? `question ${i}`, context: text });
      expect(s.status, s.error ?? '').toBe('succeeded');
      ids.push(s.runId);
    }
  } finally {
    await runtime.close();
  }
  const blocks = await blocksOf(db, ids);
  const out: MemberRun[] = [];
  for (const runId of ids) {
    const [row] = await db.query<{ query: string; answer: string | null; context_sha256: string | null }>('select query, answer, context_sha256 from runs where id = $1', [runId]);
    out.push({ runId, query: row.query, answer: row.answer, source: 'runtime', contextSha256: row.context_sha256, blocks: blocks.get(runId) ?? [] });
  }
  return out;
}

beforeAll(async () => {
  db = await memoryDb();
  pool = new SandboxPool(1);
}, 180_000);
afterAll(async () => {
  await pool?.close();
  await db?.close();
});

async function generalizeAndReplay(programs: string[], queries: readonly string[] = []) {
  const runs = await logged(programs, queries);
  const c = await generalizeMembers(cluster({ representativeRunId: runs[0].runId }), runs);
  if (isRejected(c)) throw new Error(c.rejected);
  const compiled = compileCandidate(c.name, c.source);
  if (!compiled.ok) throw new Error(compiled.error);
  const replays = [];
  for (const m of c.members) replays.push(await replayMember(db, pool, compiled.fn, m, 30_000));
  return { code: withoutDoc(c.source), replays };
}

describe('replay of a batched function', () => {
  it('members that asked one paragraph at a time are reproduced by one llmBatch call', async () => {
    const { code, replays } = await generalizeAndReplay([loop('ships'), loop('weather'), loop('schools')]);
    expect(code).toContain('model.llmBatch(');
    expect(code).not.toContain('model.llm(');
    for (const r of replays) expect(r, r.reason).toMatchObject({ reproduced: true });
    expect(replays.map((r) => r.calls)).toEqual([3, 4, 2]);
  }, 360_000);

  it('a fold stays sequential and is reproduced', async () => {
    const { code, replays } = await generalizeAndReplay([fold('ships'), fold('weather'), fold('schools')], ['What about ships?', 'What about weather?', 'What about schools?']);
    expect(code).not.toContain('llmBatch(');
    for (const r of replays) expect(r, r.reason).toMatchObject({ reproduced: true });
  }, 360_000);
});
