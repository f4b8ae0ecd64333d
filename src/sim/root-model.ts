/**
 * The simulated root model: writes RLM code like a real model, from the conversation alone.
 *
 * Turn by turn (it is stateless and rereads the messages each time):
 * 1. peeks at the input (type, length, head, sometimes the line count) - or, when the system
 *    prompt lists a fitting `lib.*` function, may call it straight away (always, when the first
 *    message already shows how the input begins: the real roots' first steps printed just that);
 * 2. reads the query (and what the peek showed) and writes one program that decomposes the task
 *    for its family (chunking by characters / lines / documents / files / sections, calling
 *    llm / llmBatch / Promise.all, combining in code) and ends with FINAL or FINAL_VAR - or
 *    prints the answer and calls FINAL_VAR on the next turn. With probability `bugRate` that
 *    program has a bug; after the <error> it writes the repaired program under fresh names;
 * 3. on the ANSWER_NOW prompt it replies `FINAL(best guess)` in prose.
 * Every choice is seeded by (seed, query), so the same messages always get the same reply.
 */
import { showsInputBeginning } from '../contracts/messages.js';
import type { CompletionRequest, CompletionResult, ModelClient } from '../models/types.js';
import { finishCompletion } from './completion.js';
import { throwIfAborted, type LatencyModel } from './latency.js';
import { DEFAULT_LEAF_WINDOW } from './leaf-model.js';
import { Rng, seedOf } from './rng.js';
import { injectBug } from './root/bugs.js';
import { readIntent, type Intent } from './root/intent.js';
import { libraryProgram, parseLibrary, pickLibraryFunction, type ListedFunction } from './root/library.js';
import { peekProgram } from './root/peek.js';
import { makePlan, Names, type Plan, type RootKnobs } from './root/plan.js';
import { classifyProgram } from './root/programs/classify.js';
import { codeReviewProgram } from './root/programs/code-review.js';
import type { Program, ProgramInput } from './root/programs/common.js';
import { genericProgram } from './root/programs/generic.js';
import { multiDocProgram } from './root/programs/multi-doc.js';
import { needleProgram } from './root/programs/needle.js';
import { pairwiseProgram } from './root/programs/pairwise.js';
import { summaryProgram } from './root/programs/summary.js';
import { lit, RETRY_MARKER } from './root/snippets.js';
import { peekFeatures, readConversation, replError, type Conversation } from './root/state.js';

export interface RootModelOptions {
  seed?: number;
  /** The leaf model's window, used to size chunks. Default 8000. */
  leafWindow?: number;
  /** Probability that the first program has a bug it repairs next turn. Default 0.15. */
  bugRate?: number;
  /** Probability of a chunk budget past the leaf window (a worse strategy). Default 0.1. */
  sloppyRate?: number;
  latency?: LatencyModel;
  /** The model name reported. Default "sim-root". */
  model?: string;
}

function writeProgram(intent: Intent, input: ProgramInput): Program {
  switch (intent.family) {
    case 'needle':
      return needleProgram(intent.projects, input);
    case 'classify-count':
      return classifyProgram(intent.labels, intent.mode, input);
    case 'pairwise':
      return pairwiseProgram(intent.fields, input);
    case 'multi-doc-qa':
      return multiDocProgram(intent.kind, intent.entity, input);
    case 'summary':
      return summaryProgram(input);
    case 'code-review':
      return codeReviewProgram(intent.kinds, input);
    case 'generic':
      return genericProgram(input);
  }
}

const PEEK_PROSE = ['Let me look at the input first.', 'First, a look at the shape of the input.', "I'll start by inspecting the context.", 'Checking the type, size and beginning of the input.'];
const PLAN_PROSE: Record<Intent['family'], string[]> = {
  needle: ['The code is one sentence somewhere in a long text. I will search it piece by piece.', 'A needle in a haystack: I will scan the text in chunks that fit a sub-call.'],
  'classify-count': ['One ticket per line. I will classify them in batches and add up the counts in code.', 'I will batch the lines, let sub-calls label them, and count in code.'],
  pairwise: ['I will extract every person with their attributes, then compute the pairs in code.', 'Extraction per batch, then a join in code to find the pairs.'],
  'multi-doc-qa': ['The answer is in one or two documents. I will find them and ask about them, hop by hop.', 'I will split the documents, narrow down to the relevant ones, and ask.'],
  summary: ['Map-reduce: summarize each part, keep the key findings, then combine.', 'I will summarize the report part by part and merge the partial summaries.'],
  'code-review': ['I will review the files in groups and merge the findings.', 'Split by file headers, review each group, collect `file: kind` lines.'],
  generic: ['I will ask about each chunk and combine the answers.', 'Chunk, ask, combine.'],
};

export class SimRootModel implements ModelClient {
  readonly provider = 'sim';
  readonly model: string;
  private readonly seed: number;
  private readonly knobs: RootKnobs;
  private readonly latency: LatencyModel | undefined;

  constructor(options: RootModelOptions = {}) {
    this.seed = options.seed ?? 0;
    this.knobs = {
      leafWindow: options.leafWindow ?? DEFAULT_LEAF_WINDOW,
      bugRate: options.bugRate ?? 0.15,
      sloppyRate: options.sloppyRate ?? 0.1,
    };
    this.latency = options.latency;
    this.model = options.model ?? 'sim-root';
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    throwIfAborted(request.signal);
    const text = this.reply(readConversation(request.messages));
    return finishCompletion(this.model, request, text, this.latency);
  }

  /** The reply to a conversation (pure). */
  reply(conv: Conversation): string {
    const plan = makePlan(this.seed, conv.query, this.knobs);
    const intent = readIntent(conv.query);
    const rng = new Rng(seedOf(plan.seed, 'turn', conv.assistant.length));
    if (conv.answerNow) return `FINAL(${bestGuess(conv)})`;

    const lib = pickLibraryFunction(intent, parseLibrary(conv.system), conv.query);
    if (conv.assistant.length === 0) {
      // a root that was shown how the input begins and its recurring line starts has what a peek would print
      if (lib && (plan.libDirect || showsInputBeginning(conv.firstUser))) return block(`The library has \`lib.${lib.name}\`, which fits this task. Calling it directly.`, this.libProgram(lib, intent, conv, plan, ''));
      return block(rng.pick(PEEK_PROSE), peekProgram(rng));
    }

    // The main programs written so far, and how each one ended.
    const mains = conv.turns.filter((t) => isMainProgram(t.assistant));
    const outcomes = mains.map((t) => ({ error: t.result !== undefined && replError(t.result) !== undefined, retry: t.result !== undefined && t.result.includes(RETRY_MARKER) }));
    const k = mains.length;
    const lastWasMain = isMainProgram(conv.assistant[conv.assistant.length - 1]);
    if (k === 0) {
      if (lib) return block(`\`lib.${lib.name}\` fits this task; using it.`, this.libProgram(lib, intent, conv, plan, ''));
      const program = this.program(intent, conv, plan, '');
      const bug = plan.bug ? injectBug(program.code, plan.bug, new Rng(seedOf(plan.seed, 'bug'))) : undefined;
      return block(rng.pick(PLAN_PROSE[intent.family]), bug ? bug.code : program.code);
    }
    const last = outcomes[k - 1];
    if (lastWasMain && (last.error || last.retry) && k < 3) {
      const next = this.planFor(k + 1, plan, outcomes);
      const program = this.program(intent, conv, next, String(k + 1));
      let why = 'That failed.';
      if (last.retry) why = 'The check failed: some of the input was lost in chunks that were too big.';
      else if (k === 1 && plan.bug && !lib) why = injectBug(this.program(intent, conv, plan, '').code, plan.bug, new Rng(seedOf(plan.seed, 'bug')))?.note ?? why;
      return block(`${why} Rewriting the step with fresh variable names.`, program.code);
    }
    if (lastWasMain && !last.error) {
      const answerVar = k === 1 && lib ? new Names(plan.seed, '').get('answer') : this.program(intent, conv, this.planFor(k, plan, outcomes), k === 1 ? '' : String(k)).answerVar;
      return block('The answer is computed above. Finishing.', `FINAL_VAR(${lit(answerVar)});`);
    }
    return block('Finishing with the best answer I have.', `FINAL(${lit(bestGuess(conv))});`);
  }

  /** The plan of the k-th main program (1-based), given how the earlier ones ended. */
  private planFor(k: number, base: Plan, outcomes: Array<{ error: boolean; retry: boolean }>): Plan {
    if (k <= 1) return base;
    if (outcomes[k - 2]?.retry) {
      return { ...base, budget: Math.round(this.knobs.leafWindow / 200) * 100, sloppy: false, variant: base.variant + 1, bug: undefined };
    }
    if (k === 2) return base;
    return { ...base, call: 'batch', finish: 'final', variant: base.variant + 1, bug: undefined };
  }

  private program(intent: Intent, conv: Conversation, plan: Plan, suffix: string): Program {
    return writeProgram(intent, {
      plan,
      names: new Names(plan.seed, suffix),
      peek: peekFeatures(conv.firstOutput),
      query: conv.query,
      rng: new Rng(seedOf(plan.seed, 'program')),
    });
  }

  private libProgram(f: ListedFunction, intent: Intent, conv: Conversation, plan: Plan, suffix: string): string {
    const names = new Names(plan.seed, suffix);
    return libraryProgram(f, intent, conv.query, plan.budget, names.get('libResult'), names.get('answer'), plan.finish);
  }
}

function isMainProgram(text: string | undefined): boolean {
  return text !== undefined && /\bllm(Batch)?\(|\bllm_batch\(|\blib\.\w+\(/.test(text);
}

function block(prose: string, code: string): string {
  return `${prose}\n\n\`\`\`js\n${code}\n\`\`\``;
}

/** The best answer visible in the REPL outputs: a printed "answer:" line, else the last line. */
function bestGuess(conv: Conversation): string {
  for (const out of [...conv.outputs].reverse()) {
    const m = /(?:^|\n)answer: ([\s\S]*)$/.exec(out);
    if (m && m[1].trim()) return m[1].trim().slice(0, 4000);
  }
  for (const out of [...conv.outputs].reverse()) {
    const line = out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.includes(RETRY_MARKER))
      .pop();
    if (line) return line.slice(0, 1000);
  }
  return 'unknown';
}

export function createRootModel(options: RootModelOptions = {}): SimRootModel {
  return new SimRootModel(options);
}
