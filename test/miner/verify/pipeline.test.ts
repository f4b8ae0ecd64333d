/**
 * generalize → verify on data made the real way: simulated workloads (3 families × 8 tasks of
 * 20–40 KB) through the real runtime and sandbox into an in-memory database, noise runs next to
 * them (scripted one-off programs through the runtime, and imported minimal records), a mining
 * pass, then buildCandidates: replay in the real sandbox from the recorded sub-calls.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../data/corpus/corpus.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { minePass } from '../../../miner/cluster/pass.js';
import { compiledJs } from '../../helpers/compiled.js';
import { buildCandidates } from '../../../miner/verify/candidates.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { normalizeText } from '../../../miner/verify/match.js';
import type { BuildProgress, BuildResult, VerifiedCandidate } from '../../../miner/verify/types.js';
import type { Database } from '../../../src/db/connection.js';
import { FUNCTION_NAME, type ReplayFixture } from '../../../src/library/format.js';
import { ScriptedModel } from '../../../src/models/scripted.js';
import { createRuntime } from '../../../src/runtime/runtime.js';
import { runWorkload } from '../../../src/eval/workload.js';
import type { FamilyName } from '../../../src/sim/types.js';
import { buildWorkload } from '../../../src/sim/workloads.js';
import { importLines } from '../../../src/trace/interchange.js';
import { memoryDb } from '../../helpers/db.js';
import { js } from '../../helpers/models.js';
import { useSimModels } from '../../helpers/sim.js';

useSimModels();

const FAMILIES: FamilyName[] = ['code-review', 'summary', 'needle'];

/** One-off programs a scripted root model writes (each ends its run in one step). */
const ONE_OFFS = [
  'const words = context.split(/\\s+/).filter(Boolean);\nconst longest = words.reduce((a, w) => (w.length > a.length ? w : a), "");\nFINAL(longest);',
  'const head = context.slice(0, 3000);\nconst lang = await llm("Which language is this text written in? One word.", head);\nFINAL(lang.trim());',
  'let upper = 0;\nfor (const ch of context) if (ch >= "A" && ch <= "Z") upper++;\nFINAL(String(upper));',
  'const lines = context.split("\\n");\nconst mid = lines[Math.floor(lines.length / 2)] ?? "";\nconst verdict = await llm("Is this line a question? yes or no", mid);\nFINAL(verdict + " (" + lines.length + " lines)");',
];
/** A program that recurs but is too small to be worth a function. */
const TRIVIAL = 'FINAL(String(context.length));';

let db: Database;
let result: BuildResult;
const familyOf = new Map<string, FamilyName>();
const noiseRuns = new Set<string>();
const progress: BuildProgress[] = [];

beforeAll(async () => {
  db = await memoryDb();
  const runtime = await createRuntime({ db, model: 'sim:root?bugRate=0&sloppyRate=0&seed=3', subModel: 'sim:leaf?seed=3', warmSandboxes: 2, library: false });
  try {
    const tasks = buildWorkload({ seed: 5, perFamily: 4, sizes: [20_000, 40_000], families: FAMILIES });
    for (const r of await runWorkload(runtime, tasks, { concurrency: 2 })) {
      expect(r.status, r.error ?? '').toBe('succeeded');
      familyOf.set(r.runId, r.family);
    }
  } finally {
    await runtime.close();
  }
  const scripted = new ScriptedModel({ responses: [...ONE_OFFS, TRIVIAL, TRIVIAL, TRIVIAL].map((code) => js(code)), whenExhausted: 'error', name: 'script-noise' });
  const noise = await createRuntime({ db, model: scripted, subModel: 'sim:leaf?seed=3', library: false });
  try {
    for (let i = 0; i < ONE_OFFS.length + 3; i++) {
      const s = await noise.run({ query: `noise ${i}`, context: `Some text, line ${i}.\nIs this a question?\nMORE TEXT ${'x'.repeat(i * 50)}` });
      expect(s.status, s.error ?? '').toBe('succeeded');
      noiseRuns.add(s.runId);
    }
  } finally {
    await noise.close();
  }
  const imported = generateCorpus({ perFamily: 0, noise: 6, seed: 21 }).map((p) => {
    const id = randomUUID();
    noiseRuns.add(id);
    return JSON.stringify({ id, query: 'imported noise', status: 'succeeded', answer: 'x', steps: [{ code: p.blocks.map((b) => b.code) }] });
  });
  expect((await importLines(db, imported)).imported).toBe(6);
  await minePass(db);
  result = await buildCandidates(db, { onProgress: (p) => progress.push(p) });
}, 540_000);

afterAll(async () => {
  await db?.close();
});

const familiesOf = (c: { sourceRunIds: string[] }) => new Set(c.sourceRunIds.map((id) => familyOf.get(id) ?? 'noise'));

describe('the simulated families', () => {
  it('each generalizes to a function that replay reproduces on ≥ 90% of its cluster\'s members', () => {
    for (const family of FAMILIES) {
      const mine = result.candidates.filter((c) => familiesOf(c).has(family));
      expect(mine.length, `no candidate for ${family}; rejected: ${JSON.stringify(result.rejected)}`).toBeGreaterThan(0);
      for (const c of mine) {
        expect([...familiesOf(c)]).toEqual([family]);
        expect(c.coverage).toBeGreaterThanOrEqual(0.9);
      }
    }
  });

  it('no cluster of family runs that passes the thresholds is rejected', async () => {
    const clusters = await db.query<{ id: string; support: number; success_rate: number }>('select id, support, success_rate from clusters');
    const eligible = clusters.filter((c) => c.support >= 3 && c.success_rate >= 0.7).map((c) => c.id);
    const promoted = new Set(result.candidates.map((c) => c.clusterId));
    for (const id of eligible) {
      const members = await db.query<{ run_id: string }>('select run_id from mined_programs where cluster_id = $1', [id]);
      if (members.some((m) => familyOf.has(m.run_id))) expect(promoted.has(id), `cluster ${id}: ${result.rejected.find((r) => r.clusterId === id)?.reason}`).toBe(true);
    }
    expect(progress.filter((p) => p.phase === 'done').map((p) => p.detail).sort()).toEqual(result.candidates.map((c) => c.name).sort());
  });

  it('every candidate is a typed function that type-checks, imports nothing and has a unique valid name', () => {
    const names = result.candidates.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of result.candidates) {
      expect(c.name).toMatch(FUNCTION_NAME);
      expect(typeCheck(c.source)).toEqual({ ok: true });
      expect(c.source).toMatch(new RegExp(`^/\\*\\*[\\s\\S]*\\*/\\nexport async function ${c.name}\\(context: string[,)][\\s\\S]*\\): Promise<string> \\{`));
      expect(withoutDoc(c.source)).not.toMatch(/\bimport\b|\brequire\(|\bFINAL\b/);
      // quiet, but for what the members printed when their own check failed (a literal message)
      expect(withoutDoc(c.source)).not.toMatch(/\bprint\((?!"(?:[^"\\]|\\.)*"\);)/);
      expect(c.signature).toMatch(/^\(context: string.*\) => Promise<string>$/);
      expect(c.params[0]).toEqual(expect.objectContaining({ name: 'context', type: 'string' }));
      expect(c.params.filter((p) => p.name !== 'context' && p.default === undefined).length).toBeLessThanOrEqual(3);
      expect(c.gain).toBeGreaterThan(0);
      expect(c.evidence.typeCheck.ok).toBe(true);
    }
  });

  it('passes the edge cases: empty input, a single chunk, multibyte text split at chunk borders', () => {
    for (const c of result.candidates) {
      expect(c.evidence.edgeCases.map((e) => e.name)).toEqual(['empty', 'single-chunk', 'multibyte']);
      for (const e of c.evidence.edgeCases) expect(e, `${c.name} ${e.name}: ${e.reason}`).toMatchObject({ passed: true });
      const multibyte = c.evidence.edgeCases[2];
      expect(multibyte.inputChars).toBeGreaterThan(1_000);
      expect(multibyte.calls).toBeGreaterThan(0);
    }
  });

  it('records one fixture per reproduced member, which replays in plain Node as the library\'s replay test does', async () => {
    for (const c of result.candidates) {
      const reproduced = c.replay.filter((r) => r.reproduced).map((r) => r.runId);
      expect(c.fixtures.map((f) => f.runId).sort()).toEqual([...reproduced].sort());
      // coverage is held over the sub-group the function was generalized from; the cluster's is reported beside it
      const cover = c.evidence.coverage;
      expect(c.coverage).toBeCloseTo(cover.subGroupReproduced / cover.subGroupSize);
      expect(c.clusterCoverage).toBeCloseTo(reproduced.length / c.replay.length);
      expect(cover.clusterReproduced).toBe(reproduced.length);
      expect(c.replay.map((r) => r.runId).sort()).toEqual([...c.sourceRunIds].sort());
      expect(c.members.map((m) => m.runId).sort()).toEqual([...c.sourceRunIds].sort());
      for (const f of c.fixtures) {
        const [row] = await db.query<{ answer: string }>('select answer from runs where id = $1', [f.runId]);
        // the function's answer: the logged one, or the logged one up to whitespace (a reproduction replay tolerates)
        expect(normalizeText(f.answer)).toBe(normalizeText(row.answer));
        expect(f.calls.every((k) => k in f.responses)).toBe(true);
        await expect(replayInNode(c, f)).resolves.toEqual({ answer: f.answer, calls: f.calls });
      }
      expect(c.expectedSavings.rootOutputTokensPerRun).toBeGreaterThan(0);
    }
  });
});

describe('noise', () => {
  it('is never promoted', () => {
    for (const c of result.candidates) for (const id of c.sourceRunIds) expect(noiseRuns.has(id), `${c.name} includes noise run ${id}`).toBe(false);
  });

  it('a small program that recurs is rejected for its gain, not promoted', async () => {
    const [row] = await db.query<{ cluster_id: string | null }>("select cluster_id from mined_programs m join runs r on r.id = m.run_id where r.query = 'noise 4'");
    if (row.cluster_id === null) return; // left as noise by the clusterer: nothing to reject
    const rejection = result.rejected.find((r) => r.clusterId === row.cluster_id);
    expect(rejection?.reason).toMatch(/no description-length gain/);
  });
});

/** What the generated replay test does with a fixture: primitives answer from it, keys as it computes them. */
async function replayInNode(c: VerifiedCandidate, f: ReplayFixture): Promise<{ answer: string; calls: string[] }> {
  const asContext = (ctx: unknown): string | null => (ctx === undefined || ctx === null ? null : typeof ctx === 'string' ? ctx : JSON.stringify(ctx));
  const seen: string[] = [];
  const answer = (query: string, ctx: unknown): string => {
    const key = createHash('sha256').update(JSON.stringify([query, asContext(ctx)])).digest('hex');
    seen.push(key);
    const r = f.responses[key];
    if (r === undefined) throw new Error(`no response for ${query.slice(0, 60)}`);
    return r;
  };
  const llm = async (q: string, ctx?: unknown) => answer(q, ctx);
  const llmBatch = async (items: { query: string; context?: unknown }[]) => items.map((i) => answer(i.query, i.context));
  const fn = new Function('llm', 'llmBatch', 'rlm', 'print', `${compiledJs(c.name, c.source)}\nreturn ${c.name};`)(llm, llmBatch, llm, () => {}) as (...a: unknown[]) => Promise<unknown>;
  const out = await fn(...f.args);
  return { answer: typeof out === 'string' ? out : JSON.stringify(out), calls: seen };
}
