/**
 * Seeded, deterministic generator of labelled corpora of logged programs: K families of
 * decompositions written with heavy surface variation, plus one-off noise programs. Used to test
 * normalization (variants of one decomposition share a fingerprint) and clustering quality.
 */
import { ALL_VARIATION, Gen, type Variation } from './corpus-kit.js';
import { FAMILIES, FAMILY_NAMES, type FamilyName } from './corpus-families.js';
import { NOISE } from './corpus-noise.js';
import { Rng } from '../../../src/sim/rng.js';
import type { BlockInput, ProgramInput } from '../../../miner/front/types.js';

export { FAMILY_NAMES, type FamilyName } from './corpus-families.js';
export { ALL_VARIATION, NO_VARIATION, type Variation } from './corpus-kit.js';

export const NOISE_LABEL = 'noise';

export interface LabelledProgram extends ProgramInput {
  /** The family name, or 'noise'. */
  label: string;
}

export interface CorpusOptions {
  seed?: number;
  /** Programs per family (default 25). */
  perFamily?: number;
  /** Noise programs (default 20). */
  noise?: number;
  families?: readonly FamilyName[];
  /** Which kinds of surface variation to apply (default: all). */
  variation?: Partial<Variation>;
}

/** Abandoned attempts written into blocks that failed in the sandbox. */
const FAILED_ATTEMPTS: readonly string[] = [
  'const parsed = JSON.parse(context.slice(0, 200));\nprint(parsed.items.length);',
  'print(context.lines.length);',
  'const first = context.split("\\n")[0].toUpperCase().foo();',
  'const x = context.slice(0, 100;\n',
  'const res = await llm("Answer the question directly", context);\nprint(res.answer.text);',
];

const BLOCK_END_PRINTS: readonly string[] = ['print("ok");', 'print(context.length);', 'print("step done");'];

function toBlocks(stmts: string[], rng: Rng, v: Variation): BlockInput[] {
  const n = stmts.length;
  const count = v.blocks ? Math.min(n, rng.int(1, 3)) : 1;
  const cuts = new Set<number>();
  while (cuts.size < count - 1) cuts.add(rng.int(1, n - 1));
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), n];
  const codes: { code: string; status: string }[] = [];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const part = stmts.slice(bounds[b], bounds[b + 1]);
    if (v.extras && b + 2 < bounds.length && rng.chance(0.5)) part.push(rng.pick(BLOCK_END_PRINTS));
    codes.push({ code: part.join('\n'), status: 'ok' });
  }
  if (v.extras && rng.chance(0.25)) {
    const at = rng.int(0, codes.length - 1);
    codes.splice(at, 0, { code: rng.pick(FAILED_ATTEMPTS), status: 'error' });
  }
  return codes.map((c, i) => ({ stepIdx: i, blockIdx: 0, code: c.code, status: c.status }));
}

/** One program of a family (or a noise template when `family` is 'noise'), deterministic in the seed. */
export function generateProgram(family: FamilyName | typeof NOISE_LABEL, seed: number, variation: Partial<Variation> = {}, runId?: string, noiseIndex = 0): LabelledProgram {
  const v: Variation = { ...ALL_VARIATION, ...variation };
  const rng = new Rng(seed);
  const g = new Gen(rng.fork(), v);
  const stmts = family === NOISE_LABEL ? NOISE[noiseIndex % NOISE.length](g) : FAMILIES[family](g);
  const blocks = toBlocks(stmts, rng.fork(), v);
  return { runId: runId ?? `${family}-${seed}`, label: family, blocks };
}

/** A labelled corpus: `perFamily` programs of each family and `noise` noise programs, shuffled. */
export function generateCorpus(options: CorpusOptions = {}): LabelledProgram[] {
  const seed = options.seed ?? 1;
  const perFamily = options.perFamily ?? 25;
  const noise = options.noise ?? 20;
  const families = options.families ?? FAMILY_NAMES;
  const rng = new Rng(seed);
  const out: LabelledProgram[] = [];
  for (const f of families) {
    for (let i = 0; i < perFamily; i++) out.push(generateProgram(f, Math.floor(rng.next() * 2 ** 31), options.variation, `${f}-${i}`));
  }
  const noiseOrder = rng.shuffle(NOISE.map((_, i) => i));
  for (let i = 0; i < noise; i++) {
    out.push(generateProgram(NOISE_LABEL, Math.floor(rng.next() * 2 ** 31), options.variation, `${NOISE_LABEL}-${i}`, noiseOrder[i % noiseOrder.length]));
  }
  return rng.shuffle(out);
}
