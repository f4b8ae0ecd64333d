/**
 * Clustering quality on labelled corpora, with the view weights as shipped and with each view left
 * out in turn: which sides of a program hold a family together across styles.
 *
 *  - dev: ../shared/corpora/dev-styles-*.jsonl with its labels (real-model programs, 10 task
 *    families in varied styles and 20 one-offs); skipped when that folder is missing
 *  - realroot: ../shared/corpora/realroot-no-library.jsonl, labelled by the six task families
 *    from the queries
 *  - synthetic: the generated corpus (test/data/corpus), four seeds
 *
 * Scores as the corpora's README defines them: ARI over all runs (a run in no cluster is its own
 * singleton, each one-off its own class), purity over clusters of two or more, and the share of
 * one-offs kept out of clusters. The same front end, profiles, vectors and clustering as a mining
 * pass (a pass also joins existing clusters; here everything is new).
 *
 * Run: npx tsx bench/miner/quality.ts [--json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from '../../test/data/corpus/corpus.js';
import { clusterIncrementally } from '../../miner/cluster/incremental.js';
import { profileOf } from '../../miner/cluster/pass.js';
import { analyzeProgram } from '../../miner/front/parse.js';
import type { BlockInput } from '../../miner/front/types.js';
import type { Profile } from '../../miner/represent/profile.js';
import { type Part, TermStatistics, VIEW_WEIGHTS, vectorize } from '../../miner/represent/vectorize.js';
import { vectorKey } from '../../miner/represent/sparse.js';
import { scoreAgainstLabels } from '../../miner/cluster/metrics.js';

const CORPORA = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));

interface Labelled {
  id: string;
  label: string;
  query: string;
  blocks: BlockInput[];
}

interface Prepared extends Labelled {
  profile: Profile;
  structure?: number[];
  key?: string;
}

interface Score {
  ari: number;
  purity: number;
  noiseOut: number;
  clusters: number;
}

const NOISE = 'noise';

function prepare(runs: Labelled[]): Prepared[] {
  return runs.map((r) => {
    const a = analyzeProgram({ runId: r.id, blocks: r.blocks });
    return { ...r, profile: profileOf(r.blocks, r.query, r.id), structure: a.ok ? a.embedding : undefined, key: a.ok ? a.fingerprint : undefined };
  });
}

function score(runs: Prepared[], clusterOf: Map<string, string | null>): Score {
  const q = scoreAgainstLabels(Object.fromEntries(runs.map((r) => [r.id, r.label])), clusterOf);
  return { ari: q.ari, purity: q.purity, noiseOut: q.noiseOut, clusters: new Set([...clusterOf.values()].filter(Boolean)).size };
}

function cluster(runs: Prepared[], weights: Readonly<Record<Part, number>>): Score {
  const stats = TermStatistics.of(runs.map((r) => r.profile));
  const items = runs
    .filter((r) => !r.profile.simple)
    .map((r) => {
      const vector = vectorize(r.profile, stats, r.structure, weights);
      return { id: r.id, key: vectorKey(vector), vector };
    });
  let n = 0;
  const result = clusterIncrementally(items, [], [], { newClusterId: () => `c${++n}` });
  return score(runs, result.assignments);
}

function blocksOfSteps(steps: { code: string[]; status?: string }[]): BlockInput[] {
  return steps.flatMap((s, i) => s.code.map((code, j) => ({ stepIdx: i, blockIdx: j, code, status: s.status ?? 'ok' })));
}

function devCorpus(): Labelled[] | undefined {
  if (!existsSync(`${CORPORA}dev-styles-1.jsonl`)) return undefined;
  const labels: Record<string, string> = {};
  const runs: Labelled[] = [];
  for (const k of [1, 2]) {
    Object.assign(labels, JSON.parse(readFileSync(`${CORPORA}labels-dev-styles-${k}.json`, 'utf8')) as Record<string, string>);
    for (const line of readFileSync(`${CORPORA}dev-styles-${k}.jsonl`, 'utf8').trim().split('\n')) {
      const r = JSON.parse(line) as { id: string; query: string; steps: { code: string[]; status?: string }[] };
      runs.push({ id: r.id, query: r.query, label: '', blocks: blocksOfSteps(r.steps) });
    }
  }
  return runs.map((r) => ({ ...r, label: labels[r.id] ?? NOISE }));
}

/** The six task families of the realroot runs, read off their queries. */
function realrootFamily(query: string): string {
  if (/secret code/i.test(query)) return 'needle';
  if (/categor|reason in these/i.test(query)) return 'classify-count';
  if (/\bpairs?\b/i.test(query)) return 'pairwise';
  if (/headquarters|bought/i.test(query)) return 'multi-doc';
  if (/summar/i.test(query)) return 'summary';
  return 'code-review';
}

function realrootCorpus(): Labelled[] | undefined {
  const file = `${CORPORA}realroot-no-library.jsonl`;
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; query: string; programs: { stepIdx: number; blockIdx: number; code: string; status: string; error?: string | null }[] })
    .map((r) => ({ id: r.id, query: r.query, label: realrootFamily(r.query), blocks: r.programs.map((p) => ({ stepIdx: p.stepIdx, blockIdx: p.blockIdx, code: p.code, status: p.status, error: p.error })) }));
}

function syntheticCorpus(seed: number): Labelled[] {
  return generateCorpus({ perFamily: 12, noise: 12, seed }).map((p, i) => ({ id: `${seed}-${i}`, query: `task for ${p.label}`, label: p.label === 'noise' ? NOISE : p.label, blocks: p.blocks }));
}

const corpora: [string, Prepared[]][] = [];
const dev = devCorpus();
if (dev) corpora.push(['dev (real models, task families)', prepare(dev)]);
const realroot = realrootCorpus();
if (realroot) corpora.push(['realroot (real root, sim families)', prepare(realroot)]);
for (const seed of [11, 3, 5, 7]) corpora.push([`synthetic seed ${seed}`, prepare(syntheticCorpus(seed))]);

const settings: [string, Readonly<Record<Part, number>>][] = [['as shipped', VIEW_WEIGHTS]];
for (const part of (Object.keys(VIEW_WEIGHTS) as Part[]).filter((p) => p !== 'semantic')) settings.push([`without ${part}`, { ...VIEW_WEIGHTS, [part]: 0 }]);

const rows = settings.map(([name, weights]) => ({ name, scores: corpora.map(([, runs]) => cluster(runs, weights)) }));
if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ weights: VIEW_WEIGHTS, corpora: corpora.map(([c]) => c), rows }, null, 2)}\n`);
} else {
  const f = (x: number): string => x.toFixed(3);
  process.stdout.write(`weights: ${JSON.stringify(VIEW_WEIGHTS)}\n\n| views | ${corpora.map(([c]) => c).join(' | ')} |\n|---|${corpora.map(() => '---').join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${r.name} | ${r.scores.map((s) => `${f(s.ari)} / ${f(s.purity)} / ${f(s.noiseOut)}`).join(' | ')} |\n`);
  process.stdout.write('\ncells: ARI / purity / one-offs kept out\n');
}
