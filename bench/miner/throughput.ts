/**
 * Throughput of the miner's front half, single-threaded: analyzeProgram (consolidate + parse +
 * slice + normalize + skeleton + embed) side by side with the TypeScript parser alone on the same
 * code, so that the ratio holds on a loaded machine. Each measurement is the best of several
 * interleaved rounds of CPU time (process.cpuUsage).
 *
 * Run: npx tsx bench/miner/throughput.ts   (or compile with tsc and run the .js for numbers without tsx)
 */
import { generateCorpus } from '../../miner/corpus.js';
import { parseBlock } from '../../miner/lower.js';
import { analyzeProgram } from '../../miner/parse.js';
import type { ProgramInput } from '../../miner/types.js';

const ROUNDS = 25;

/** A longer run: several generated programs one after the other (later steps of one session). */
function concat(parts: ProgramInput[]): ProgramInput {
  const blocks = parts.flatMap((p) => p.blocks).map((b, i) => ({ ...b, stepIdx: i, blockIdx: 0 }));
  return { runId: parts.map((p) => p.runId).join('+'), blocks };
}

function chars(p: ProgramInput): number {
  return p.blocks.reduce((t, b) => t + b.code.length, 0);
}

function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function measure(label: string, programs: ProgramInput[]): void {
  const analyze = (): void => {
    for (const p of programs) analyzeProgram(p);
  };
  const parseOnly = (): void => {
    for (const p of programs) for (const b of p.blocks) parseBlock(b.code);
  };
  analyze();
  parseOnly();
  let bestAnalyze = Infinity;
  let bestParse = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    bestAnalyze = Math.min(bestAnalyze, cpuSeconds(analyze));
    bestParse = Math.min(bestParse, cpuSeconds(parseOnly));
  }
  const n = programs.length;
  const avgKb = programs.reduce((t, p) => t + chars(p), 0) / n / 1024;
  const ok = programs.filter((p) => analyzeProgram(p).ok).length;
  console.log(
    `${label.padEnd(28)} ${String(n).padStart(5)} programs, avg ${avgKb.toFixed(2)} KB (${ok} ok): ` +
      `analyzeProgram ${(n / bestAnalyze).toFixed(0)}/s, TypeScript parse alone ${(n / bestParse).toFixed(0)}/s, ` +
      `ratio ${(bestAnalyze / bestParse).toFixed(2)}× the parse`,
  );
}

const corpus = generateCorpus({ seed: 123, perFamily: 60, noise: 40 });
const runsOf = (k: number): ProgramInput[] => {
  const out: ProgramInput[] = [];
  for (let i = 0; i + k <= corpus.length; i += k) out.push(concat(corpus.slice(i, i + k)));
  return out;
};
console.log(`node ${process.version}, ${process.arch}; per core (single thread), CPU time, best of ${ROUNDS}`);
measure('generated programs', corpus);
measure('runs of 3 programs', runsOf(3));
measure('runs of 6 programs', runsOf(6));
