/**
 * Whether the instruction at a prompt site carries the user's question: its members' instructions
 * name things their own questions name — a project, an entity, a year, a topic, labels written into
 * the text — that some other member's instruction does not. Such an instruction is a required
 * parameter (another question needs other words). An instruction that varies only in wording its
 * question does not share ("Label each line." / "Classify every line.") is the function's own
 * business: an option with the template's wording as its default, so that a caller passes only what
 * the question says. When in doubt (any shared word) it stays required: a default that carries
 * another question's subject would answer that question instead.
 */
import type { Alignment } from './align.js';
import type { LiteralSite } from './literals.js';

/** Words that say nothing about a question's subject. */
const STOP = new Set(
  'the and for with this that from each every into only what which who whom whose where when how are was were is be been give list find name names tell about text below above one all any its their there these those then than also just reply answer return none not found yes no'.split(' '),
);

/** The words of a text that could name a question's subject: names, codes, numbers, topics. */
function subjectTokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu)) {
    const word = m[0];
    if ((word.length >= 3 || /\d/.test(word)) && !STOP.has(word)) out.add(word);
  }
  return out;
}

const words = (s: string): string => ` ${s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;

/** Whether one member's instruction names what its question names and some other instruction does not. */
function tiedFor(value: string, query: string, others: readonly string[]): boolean {
  const q = words(query);
  const elsewhere = others.map(words);
  return [...subjectTokens(value)].some((token) => q.includes(` ${token} `) && elsewhere.some((o) => !o.includes(` ${token} `)));
}

/** Whether the instruction at `site` carries each member's question (for at least half of the members that aligned). */
export function promptCarriesQuery(site: LiteralSite, alignments: readonly Alignment[], queries: readonly string[]): boolean {
  const values = alignments.map((a) => a.values.get(site.key)?.value);
  const texts = values.map((v) => (typeof v === 'string' ? v : undefined));
  const aligned = texts.flatMap((t, i) => (t === undefined ? [] : [{ text: t, query: queries[i] ?? '' }]));
  if (aligned.length === 0) return false;
  const tied = aligned.filter((m, i) => tiedFor(m.text, m.query, aligned.filter((_, j) => j !== i).map((o) => o.text))).length;
  return tied * 2 >= aligned.length;
}
