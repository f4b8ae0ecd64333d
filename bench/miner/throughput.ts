/**
 * Throughput of the miner's front half, single-threaded: analyzeProgram (consolidate + parse +
 * slice + normalize + skeleton + embed), and the whole per-program work of a pass (that plus the
 * decomposition profile: a second parse, dataflow roles, vocabulary), side by side with the
 * TypeScript parser alone on the same code, so that the ratio holds on a loaded machine. Each measurement is the best of several
 * interleaved rounds of CPU time (process.cpuUsage).
 *
 * Run: npx tsx bench/miner/throughput.ts   (or compile with tsc and run the .js for numbers without tsx)
 */
import { generateCorpus } from '../../test/data/corpus/corpus.js';
import { parseBlock } from '../../miner/front/lower.js';
import { analyzeProgram } from '../../miner/front/parse.js';
import { profileOf } from '../../miner/cluster/pass.js';
import type { ProgramInput } from '../../miner/front/types.js';

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
  const whole = (): void => {
    for (const p of programs) {
      analyzeProgram(p);
      profileOf(p.blocks, 'what is asked', p.runId);
    }
  };
  const parseOnly = (): void => {
    for (const p of programs) for (const b of p.blocks) parseBlock(b.code);
  };
  analyze();
  whole();
  parseOnly();
  let bestAnalyze = Infinity;
  let bestWhole = Infinity;
  let bestParse = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    bestAnalyze = Math.min(bestAnalyze, cpuSeconds(analyze));
    bestWhole = Math.min(bestWhole, cpuSeconds(whole));
    bestParse = Math.min(bestParse, cpuSeconds(parseOnly));
  }
  const n = programs.length;
  const avgKb = programs.reduce((t, p) => t + chars(p), 0) / n / 1024;
  const ok = programs.filter((p) => analyzeProgram(p).ok).length;
  console.log(
    `${label.padEnd(38)} ${String(n).padStart(5)} programs, avg ${avgKb.toFixed(2)} KB (${ok} ok): ` +
      `analyzeProgram ${(n / bestAnalyze).toFixed(0)}/s, with the profile ${(n / bestWhole).toFixed(0)}/s, TypeScript parse alone ${(n / bestParse).toFixed(0)}/s, ` +
      `ratio ${(bestAnalyze / bestParse).toFixed(2)}× the parse`,
  );
}

/** Exploration steps a root model typically writes before its decomposition: peeks, probes, a trial call. */
const EXPLORATION: readonly string[] = [
  `// First look at the input: how long is it and what does it look like?
print(typeof context, context.length);
print(context.slice(0, 800));
print(context.slice(-400));`,
  `// How is it structured? Count lines, blank-line separated sections and headings.
const probeLines = context.split("\\n");
const probeSections = context.split(/\\n\\s*\\n/);
const headings = probeLines.filter((l) => /^#+ /.test(l));
print(probeLines.length, probeSections.length, headings.length);
print(headings.slice(0, 20).join("\\n"));`,
  `// Try the question on a small sample first to see how the sub-model answers.
const sample = context.slice(0, 6000);
const trial = await llm("You are reading one part of a long document. Answer the question below using only this part. If the part does not contain the answer, reply exactly NOT IN THIS PART. Keep the answer under fifty words and quote the sentence that supports it.", sample);
print(trial);`,
  `// Look for candidate passages with a few keyword probes before deciding how to split.
const probes = ["deadline", "budget", "approved", "signed", "contract", "meeting"];
for (const word of probes) {
  const at = context.toLowerCase().indexOf(word);
  print(word, at, at >= 0 ? context.slice(Math.max(0, at - 120), at + 120) : "");
}`,
];

const CHECK = `// Before answering: sanity-check the intermediate results and look at a few of them.
const checkSample = context.slice(Math.floor(context.length / 2), Math.floor(context.length / 2) + 4000);
const second = await llm("Read this excerpt from the middle of the document and list every number that appears together with what it measures. Reply with one item per line in the form 'number: meaning'. If there are none, reply NONE.", checkSample);
print(second.split("\\n").length, second.slice(0, 600));`;

/**
 * A typical logged run: exploration steps (comments, peeks, probes, trial calls), then one to three
 * decompositions (earlier attempts abandoned), 2–4 KB in all.
 */
function realistic(seed: number, programs: ProgramInput[]): ProgramInput {
  const picks = seed % 2 === 0 ? [...EXPLORATION, CHECK] : [...EXPLORATION.slice(0, 3), CHECK];
  const blocks = [...picks.map((code) => ({ stepIdx: 0, blockIdx: 0, code, status: 'ok' })), ...programs.flatMap((p) => p.blocks)];
  return { runId: `real-${programs[0].runId}`, blocks: blocks.map((b, i) => ({ ...b, stepIdx: i, blockIdx: 0 })) };
}

const corpus = generateCorpus({ seed: 123, perFamily: 60, noise: 40 });
const runsOf = (k: number): ProgramInput[] => {
  const out: ProgramInput[] = [];
  for (let i = 0; i + k <= corpus.length; i += k) out.push(concat(corpus.slice(i, i + k)));
  return out;
};
console.log(`node ${process.version}, ${process.arch}; per core (single thread), CPU time, best of ${ROUNDS}`);
measure('generated programs', corpus);
measure('typical runs (exploration + 1-3 programs)', corpus.map((_, i) => realistic(i, corpus.slice(i, i + 1 + (i % 3)))));
measure('runs of 3 programs', runsOf(3));
measure('runs of 6 programs', runsOf(6));
