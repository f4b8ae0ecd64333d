/**
 * summary (map-reduce): a long operations report in `## N. Section` sections of business filler,
 * with K planted key facts (each marked by a phrase such as "Key finding:" or "Notably," and
 * carrying a distinctive five-digit figure). The summary must cover them. Scoring: coverage,
 * the fraction of key figures present in the answer (thousands separators ignored).
 */
import { createRng, type Rng } from '../rng.js';
import { fillerParagraphs } from '../text.js';
import type { Family, GenerateOptions, Task } from '../types.js';

export interface SummaryExpected {
  /** The planted key-fact sentences. */
  facts: string[];
  /** One distinctive figure per fact, e.g. "48,173". */
  tokens: string[];
}

const REGIONS = ['Northern', 'Southern', 'Eastern', 'Western', 'Central', 'Coastal', 'Alpine', 'Metro'];
const METRICS = ['order volume', 'active accounts', 'shipped units', 'service tickets', 'training hours', 'recycled pallets', 'new subscriptions', 'field visits'];
const TEAMS = ['logistics', 'procurement', 'field service', 'customer care', 'quality', 'facilities'];
const INITIATIVES = ['Lighthouse', 'Keystone', 'Northstar', 'Bluebird', 'Cornerstone', 'Tailwind'];
const SECTIONS = ['Overview', 'Operations', 'Regional performance', 'Staffing', 'Customers', 'Suppliers', 'Facilities', 'Risks', 'Outlook', 'Finance', 'Quality', 'Technology'];

const FACTS = [
  (r: Rng, n: string) => `Key finding: ${r.pick(METRICS)} in the ${r.pick(REGIONS)} region reached ${n}.`,
  (r: Rng, n: string) => `Notably, the ${r.pick(TEAMS)} team cut its backlog to ${n} items.`,
  (r: Rng, n: string) => `Importantly, ${n} ${r.pick(METRICS)} were recorded in the ${r.pick(REGIONS)} region.`,
  (r: Rng, n: string) => `A critical result: ${r.pick(METRICS)} rose to ${n} after the ${r.pick(INITIATIVES)} initiative.`,
  (r: Rng, n: string) => `Most significantly, ${r.pick(METRICS)} grew to ${n} across all sites.`,
];

const QUERIES = [
  'Summarize this report. Make sure every key finding is included.',
  'Write a summary of the report that covers its key findings and figures.',
  'Give me an executive summary of this document, with all the important numbers.',
  'Summarize the report below; include each key finding with its exact figure.',
];

function figure(n: number): string {
  return `${Math.floor(n / 1000)},${String(n % 1000).padStart(3, '0')}`;
}

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'summary', sizeBytes);
  const k = Math.min(14, rng.int(5, 8) + Math.floor(Math.log2(Math.max(1, sizeBytes / 20000))));
  const numbers = new Set<number>();
  while (numbers.size < k) numbers.add(rng.int(10001, 99999));
  const tokens = [...numbers].map(figure);
  const facts = tokens.map((t) => rng.pick(FACTS)(rng, t));

  const pool = fillerParagraphs(rng.fork('filler'), 'business', 300);
  const title = `# Annual operations report: ${rng.pick(INITIATIVES)} Group`;
  const paras: string[] = [];
  let total = title.length + facts.reduce((a, f) => a + f.length + 1, 0);
  let section = 0;
  let left = 0;
  while (total < sizeBytes) {
    if (left-- <= 0) {
      left = rng.int(5, 12);
      const head = `## ${++section}. ${SECTIONS[(section - 1) % SECTIONS.length]}${section > SECTIONS.length ? ` (part ${Math.ceil(section / SECTIONS.length)})` : ''}`;
      paras.push(head);
      total += head.length + 2;
    }
    const p = pool[Math.floor(rng.next() * pool.length)];
    paras.push(p);
    total += p.length + 2;
  }
  // Plant each fact inside a random body paragraph (not a header).
  for (const fact of facts) {
    let at = rng.int(0, paras.length - 1);
    while (paras[at].startsWith('## ')) at = (at + 1) % paras.length;
    const sentences = paras[at].split(/(?<=\.) /);
    sentences.splice(rng.int(0, sentences.length), 0, fact);
    paras[at] = sentences.join(' ');
  }
  const context = [title, ...paras].join('\n\n');
  const expected: SummaryExpected = { facts, tokens };
  return { id: `summary-${seed}-${sizeBytes}`, family: 'summary', query: rng.pick(QUERIES), context, expected };
}

export function score(task: Task, answer: string): number {
  const e = task.expected as SummaryExpected;
  const plain = answer.replace(/(\d),(?=\d{3}\b)/g, '$1');
  let hit = 0;
  for (const t of e.tokens) {
    const digits = t.replace(/,/g, '');
    if (new RegExp(`(?<!\\d)${digits}(?!\\d)`).test(plain)) hit++;
  }
  return e.tokens.length === 0 ? 1 : hit / e.tokens.length;
}

export const summary: Family = {
  name: 'summary',
  description: 'Summarize a long report so that every planted key finding (with its figure) is covered.',
  generate,
  score,
};
