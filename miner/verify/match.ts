/**
 * Matching a replayed sub-call to a member's recorded ones. A generated function asks with its own
 * wording and its own chunking; a member asked with its own. A replayed call (query, context) is
 * answered by the recorded call that fits, tried in this order:
 *   exact          the same query and context (no context and '' are the same);
 *   whitespace     the same after normalizing line endings, runs of whitespace, curly quotes and
 *                  Unicode composition (a chunk with a trailing "\n\n" more, a prompt re-indented);
 *   varying-parts  the same varying part — the chunk of input the call is about (its context, or,
 *                  for a call with the chunk pasted into the query, what the member's recorded
 *                  queries do not share) — with an instruction that differs only in wording (a
 *                  parameter's value: word overlap ≥ MIN_INSTRUCTION_SIMILARITY); the closest
 *                  instruction wins.
 * A call asked again gets the recorded calls of its key in logged order, then the last one again
 * (a cache hit). When nothing fits, the nearest recorded call and what differed are reported.
 */
import type { RecordedCall } from './subcalls.js';

export type MatchTier = 'exact' | 'whitespace' | 'varying-parts';

export interface Match {
  call: RecordedCall;
  tier: MatchTier;
  /** What differed, for a match that was not exact ("the instruction differs: …"). */
  difference?: string;
}

export interface Miss {
  call?: undefined;
  /** Why no recorded call fits: the nearest one and what differed, or that none of that kind was logged. */
  reason: string;
}

/** Word overlap (Jaccard over lower-cased words) an instruction needs to match by its varying part. */
export const MIN_INSTRUCTION_SIMILARITY = 0.5;
/** A varying part shorter than this is not specific enough to identify a call by. */
const MIN_VARYING_CHARS = 16;

/** Line endings, whitespace runs, curly quotes and Unicode composition normalized; trimmed. */
export function normalizeText(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** Jaccard similarity of the words of two texts (1 for two texts without words). */
export function wordSimilarity(a: string, b: string): number {
  const wa = words(a);
  const wb = words(b);
  if (wa.size === 0 && wb.size === 0) return 1;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / (wa.size + wb.size - shared);
}

const quote = (s: string, n = 60): string => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/** Where two texts first differ, with a little of each side: `at character 2,456: "…" where the log has "…"`. */
export function firstDifference(made: string, logged: string): string {
  let i = 0;
  while (i < made.length && i < logged.length && made[i] === logged[i]) i++;
  if (i === made.length && i === logged.length) return 'they are equal';
  const from = Math.max(0, i - 20);
  const window = (s: string) => `${from > 0 ? '…' : ''}${s.slice(from, i + 40)}${s.length > i + 40 ? '…' : ''}`;
  const lengths = made.length === logged.length ? `${made.length.toLocaleString('en-US')} characters each` : `${made.length.toLocaleString('en-US')} characters where the log has ${logged.length.toLocaleString('en-US')}`;
  return `${lengths}; first difference at character ${i.toLocaleString('en-US')}: ${JSON.stringify(window(made))} where the log has ${JSON.stringify(window(logged))}`;
}

/** The longest common prefix and suffix of some texts (not overlapping in the shortest one). */
function commonAffixes(texts: readonly string[]): { prefix: string; suffix: string } {
  if (texts.length < 2) return { prefix: '', suffix: '' };
  let p = texts[0].length;
  for (const t of texts) {
    let i = 0;
    while (i < p && i < t.length && t[i] === texts[0][i]) i++;
    p = i;
  }
  const shortest = Math.min(...texts.map((t) => t.length));
  let s = Math.max(0, shortest - p);
  const first = texts[0];
  for (const t of texts) {
    let i = 0;
    while (i < s && t[t.length - 1 - i] === first[first.length - 1 - i]) i++;
    s = i;
  }
  return { prefix: first.slice(0, p), suffix: s ? first.slice(first.length - s) : '' };
}

interface Parts {
  /** The chunk the call is about. */
  varying: string;
  /** The rest: the query when there is a context, else the query's shared template. */
  instruction: string;
}

interface Indexed {
  call: RecordedCall;
  exactKey: string;
  normalKey: string;
  parts: Parts;
}

const keyOf = (kind: string, query: string, context: string | null) => JSON.stringify([kind, query, context]);
const contextOf = (context: string | null | undefined): string | null => (context === undefined || context === null || context === '' ? null : context);

/** Answers replayed calls from one member's recorded calls. */
export class CallMatcher {
  private readonly indexed: Indexed[];
  private readonly byExact = new Map<string, Indexed[]>();
  private readonly byNormal = new Map<string, Indexed[]>();
  private readonly uses = new Map<string, number>();
  private readonly used = new Set<number>();
  /** The template shared by the member's recorded calls that carry their chunk in the query. */
  private readonly affixes: Record<'llm' | 'rlm', { prefix: string; suffix: string }>;

  constructor(calls: readonly RecordedCall[]) {
    const affixesOf = (kind: 'llm' | 'rlm') => commonAffixes([...new Set(calls.filter((c) => c.kind === kind && c.context === null).map((c) => normalizeText(c.query)))]);
    this.affixes = { llm: affixesOf('llm'), rlm: affixesOf('rlm') };
    this.indexed = calls.map((call) => ({
      call,
      exactKey: keyOf(call.kind, call.query, call.context),
      normalKey: keyOf(call.kind, normalizeText(call.query), call.context === null ? null : normalizeText(call.context)),
      parts: this.partsOf(call.kind, call.query, call.context),
    }));
    for (const x of this.indexed) {
      this.byExact.set(x.exactKey, [...(this.byExact.get(x.exactKey) ?? []), x]);
      this.byNormal.set(x.normalKey, [...(this.byNormal.get(x.normalKey) ?? []), x]);
    }
  }

  private partsOf(kind: 'llm' | 'rlm', query: string, context: string | null): Parts {
    const q = normalizeText(query);
    if (context !== null) return { varying: normalizeText(context), instruction: q };
    const { prefix, suffix } = this.affixes[kind];
    if (q.length >= prefix.length + suffix.length && q.startsWith(prefix) && q.endsWith(suffix)) {
      return { varying: q.slice(prefix.length, q.length - suffix.length).trim(), instruction: `${prefix} ${suffix}`.trim() };
    }
    return { varying: q, instruction: '' };
  }

  /** The next recorded call of a group: the k-th ask gets the k-th logged call, then the last again. */
  private take(group: readonly Indexed[], key: string): Indexed {
    const n = this.uses.get(key) ?? 0;
    this.uses.set(key, n + 1);
    const x = group[Math.min(n, group.length - 1)];
    this.used.add(x.call.index);
    return x;
  }

  match(kind: 'llm' | 'rlm', query: string, rawContext: string | null | undefined): Match | Miss {
    const context = contextOf(rawContext);
    const exactKey = keyOf(kind, query, context);
    const exact = this.byExact.get(exactKey);
    if (exact) return { call: this.take(exact, `e${exactKey}`).call, tier: 'exact' };
    const normalKey = keyOf(kind, normalizeText(query), context === null ? null : normalizeText(context));
    const normal = this.byNormal.get(normalKey);
    if (normal) {
      const x = this.take(normal, `n${normalKey}`);
      const what = context !== null && x.call.context !== null && context !== x.call.context ? `the context: ${firstDifference(context, x.call.context)}` : `the query: ${firstDifference(query, x.call.query)}`;
      return { call: x.call, tier: 'whitespace', difference: `differs only in whitespace or quotes in ${what}` };
    }
    const mine = this.partsOf(kind, query, context);
    const sameKind = this.indexed.filter((x) => x.call.kind === kind);
    if (sameKind.length === 0) return { reason: `the run logged no ${kind === 'rlm' ? 'rlm() sub-runs' : 'llm() sub-calls'}` };
    const byChunk = sameKind
      .flatMap((x) => {
        const instruction = this.instructionOver(mine, x, query);
        return instruction === undefined ? [] : [{ x, similarity: wordSimilarity(instruction, x.parts.instruction) }];
      })
      .sort((a, b) => b.similarity - a.similarity || Number(this.used.has(a.x.call.index)) - Number(this.used.has(b.x.call.index)));
    const best = byChunk[0];
    if (best && best.similarity >= MIN_INSTRUCTION_SIMILARITY) {
      this.used.add(best.x.call.index);
      return { call: best.x.call, tier: 'varying-parts', difference: `the same chunk with another instruction (word overlap ${best.similarity.toFixed(2)}): ${firstDifference(query, best.x.call.query)}` };
    }
    return { reason: this.nearest(mine, sameKind, query, context, best?.x) };
  }

  /**
   * The replayed call's instruction when it is about the same chunk as a recorded call, else
   * undefined: the same varying part, or (a chunk pasted into a query the recorded template does not
   * frame) the recorded chunk inside the query, the rest being the instruction.
   */
  private instructionOver(mine: Parts, x: Indexed, query: string): string | undefined {
    if (x.parts.varying.length === 0) return undefined;
    if (mine.varying === x.parts.varying) return mine.instruction;
    if (x.call.context === null && x.parts.varying.length >= MIN_VARYING_CHARS) {
      const q = normalizeText(query);
      if (q.includes(x.parts.varying)) return normalizeText(q.replace(x.parts.varying, ' '));
    }
    return undefined;
  }

  /** What differed from the nearest recorded call (same instruction first, then same chunk, then most similar). */
  private nearest(mine: Parts, candidates: readonly Indexed[], query: string, context: string | null, sameChunk?: Indexed): string {
    const made = `${quote(query)}${context !== null ? ` over ${context.length.toLocaleString('en-US')} characters` : ''}`;
    if (sameChunk) {
      return `${made}: the log has this chunk only with another instruction (#${sameChunk.call.index + 1}, word overlap < ${MIN_INSTRUCTION_SIMILARITY}): ${firstDifference(query, sameChunk.call.query)}`;
    }
    const scored = candidates
      .map((x) => ({ x, instruction: wordSimilarity(mine.instruction, x.parts.instruction), chunk: wordSimilarity(mine.varying, x.parts.varying) }))
      .sort((a, b) => Number(this.used.has(a.x.call.index)) - Number(this.used.has(b.x.call.index)) || b.instruction + b.chunk - (a.instruction + a.chunk));
    const sameInstruction = scored.filter((s) => s.x.parts.instruction === mine.instruction).sort((a, b) => b.chunk - a.chunk)[0];
    const n = sameInstruction ?? scored[0];
    const { call } = n.x;
    if (sameInstruction) {
      const what = context !== null && call.context !== null ? firstDifference(context, call.context) : firstDifference(query, call.query);
      return `${made}: no recorded call over this chunk; the nearest with the same instruction (#${call.index + 1} of ${candidates.length}${this.used.has(call.index) ? ', already used' : ''}) differs in the chunk: ${what}`;
    }
    return `${made}: no recorded call fits; the nearest (#${call.index + 1} of ${candidates.length}) differs in the instruction (word overlap ${n.instruction.toFixed(2)}: ${firstDifference(query, call.query)}) and in the chunk (word overlap ${n.chunk.toFixed(2)})`;
  }

  /** Recorded calls no replayed call was answered from. */
  unused(): RecordedCall[] {
    return this.indexed.filter((x) => !this.used.has(x.call.index)).map((x) => x.call);
  }
}
