/**
 * classify-count (OOLONG-like): thousands of support tickets, one per line with an id, a date and
 * free text whose wording implies one label (refund, shipping, billing, praise, technical). The
 * query asks for the count per label or for the most frequent label. Scoring: exact for the top
 * label (the first label named in the answer); for counts, the mean over labels of
 * max(0, 1 - |error| / true count).
 */
import { createRng, type Rng } from '../rng.js';
import { parseEmbeddedJson } from '../scoring.js';
import type { Family, GenerateOptions, Task } from '../types.js';

export const TICKET_LABELS = ['refund', 'shipping', 'billing', 'praise', 'technical'] as const;
export type TicketLabel = (typeof TICKET_LABELS)[number];

export interface ClassifyExpected {
  mode: 'counts' | 'top';
  counts: Record<TicketLabel, number>;
  top: TicketLabel;
}

const PHRASES: Record<TicketLabel, string[]> = {
  refund: ['I would like a refund for this order', 'please give me my money back', 'I want to return this and get reimbursed', 'requesting a refund as discussed', 'can I get my money back for the broken item', 'I expect a full refund'],
  shipping: ['my package has not arrived yet', 'the tracking number does not update', 'delivery is two weeks late', 'the parcel went to the wrong address', 'the courier never showed up', 'my shipment is stuck in transit'],
  billing: ['I was charged twice this month', 'the invoice amount is wrong', 'my credit card was billed after I cancelled', 'there is an unexpected fee on my statement', 'the price on my bill changed without notice', 'I was overcharged on the last invoice'],
  praise: ['I love this product', 'your support team was fantastic', 'excellent quality, thank you', 'best purchase I made this year', 'great job, I am very happy', 'the new version is wonderful'],
  technical: ['the app crashes when I open settings', 'I cannot log in since the update', 'the page shows an error message', 'sync fails with a timeout', 'the device will not connect to wifi', 'the export button does nothing'],
};

const OPENERS = ['', 'Hello,', 'Hi support,', 'Good morning.', 'Writing again about this.', 'Quick note:', 'Dear team,', 'Customer here.'];
const CLOSERS = ['', 'Thanks.', 'Regards.', 'Please advise.', 'Let me know.', 'Order details are in my account.', 'This is my second message.', 'Sent from my phone.'];

const FORMATS = [
  (id: number, date: string, text: string) => `#${id} | ${date} | ${text}`,
  (id: number, date: string, text: string) => `[${date}] ticket ${id}: ${text}`,
  (id: number, date: string, text: string) => `${id}\t${date}\t${text}`,
];

const NOUNS = ['tickets', 'support tickets', 'customer messages', 'requests'];

function listLabels(rng: Rng): string {
  const labels = [...TICKET_LABELS];
  return rng.chance(0.5) ? labels.join(', ') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

const COUNT_QUERIES = [
  (n: string, l: string) => `How many ${n} fall into each category (${l})? Give the count for every category.`,
  (n: string, l: string) => `Count the ${n} per label. The labels are: ${l}.`,
  (n: string, l: string) => `For each category - ${l} - how many ${n} are there in this export?`,
];
const TOP_QUERIES = [
  (n: string, l: string) => `Which category is the most frequent among these ${n}? The categories are: ${l}.`,
  (n: string, l: string) => `What is the most common reason in these ${n}? Answer with one of: ${l}.`,
];

function date(rng: Rng): string {
  return `2024-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

/** Label proportions: distinct, with a clear leader. */
function proportions(rng: Rng): number[] {
  const w = TICKET_LABELS.map(() => 0.5 + rng.next() * 2);
  const top = rng.int(0, w.length - 1);
  const max = Math.max(...w);
  w[top] = max * 1.35;
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'classify-count', sizeBytes);
  const format = rng.pick(FORMATS);
  const header = `Support ticket export, generated 2024-12-31. One ticket per line.`;
  const avgLine = 78;
  const n = Math.max(20, Math.round((sizeBytes - header.length) / avgLine));
  const p = proportions(rng);
  const counts = TICKET_LABELS.map((_, i) => Math.max(1, Math.round(p[i] * n)));
  const labels: TicketLabel[] = rng.shuffle(TICKET_LABELS.flatMap((l, i) => Array<TicketLabel>(counts[i]).fill(l)));
  const lines = [header];
  const used: TicketLabel[] = [];
  let total = header.length;
  let id = rng.int(10000, 20000);
  const add = (label: TicketLabel): void => {
    id += rng.int(1, 3);
    const text = [rng.pick(OPENERS), `${rng.pick(PHRASES[label])}.`, rng.pick(CLOSERS)].filter(Boolean).join(' ');
    const line = format(id, date(rng), text);
    lines.push(line);
    used.push(label);
    total += line.length + 1;
  };
  // The planned records, then top up or trim to the requested size (counts follow the records).
  for (const label of labels) {
    if (total >= sizeBytes && used.length >= 20) break;
    add(label);
  }
  while (total < sizeBytes) add(TICKET_LABELS[rng.weighted(p)]);
  const byLabel = Object.fromEntries(TICKET_LABELS.map((l) => [l, 0])) as Record<TicketLabel, number>;
  for (const l of used) byLabel[l]++;
  const top = TICKET_LABELS.reduce((best, l) => (byLabel[l] > byLabel[best] ? l : best), TICKET_LABELS[0]);
  const mode = rng.chance(0.6) ? 'counts' : 'top';
  const noun = rng.pick(NOUNS);
  const query = mode === 'counts' ? rng.pick(COUNT_QUERIES)(noun, listLabels(rng)) : rng.pick(TOP_QUERIES)(noun, listLabels(rng));
  const expected: ClassifyExpected = { mode, counts: byLabel, top };
  return { id: `classify-count-${seed}-${sizeBytes}`, family: 'classify-count', query, context: lines.join('\n'), expected };
}

/** Reads "label: n" pairs from JSON or free text. */
export function parseCounts(answer: string): Partial<Record<TicketLabel, number>> {
  const out: Partial<Record<TicketLabel, number>> = {};
  const json = parseEmbeddedJson(answer);
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      const key = k.toLowerCase().trim() as TicketLabel;
      if ((TICKET_LABELS as readonly string[]).includes(key) && Number.isFinite(Number(v))) out[key] = Number(v);
    }
    if (Object.keys(out).length > 0) return out;
  }
  for (const label of TICKET_LABELS) {
    const m = new RegExp(`\\b${label}\\b[^0-9\\n]{0,20}?(\\d[\\d,]*)`, 'i').exec(answer);
    if (m) out[label] = Number(m[1].replace(/,/g, ''));
  }
  return out;
}

export function score(task: Task, answer: string): number {
  const e = task.expected as ClassifyExpected;
  if (e.mode === 'top') {
    const m = new RegExp(`\\b(${TICKET_LABELS.join('|')})\\b`, 'i').exec(answer);
    return m && m[1].toLowerCase() === e.top ? 1 : 0;
  }
  const got = parseCounts(answer);
  let total = 0;
  for (const label of TICKET_LABELS) {
    const truth = e.counts[label];
    const value = got[label];
    if (value === undefined) continue;
    total += truth === 0 ? (value === 0 ? 1 : 0) : Math.max(0, 1 - Math.abs(value - truth) / truth);
  }
  return total / TICKET_LABELS.length;
}

export const classifyCount: Family = {
  name: 'classify-count',
  description: 'Label thousands of one-line support tickets and count them per label (or find the top label).',
  generate,
  score,
};
