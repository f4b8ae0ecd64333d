/**
 * multi-doc-qa (BrowseComp-Plus-like): hundreds of documents under `### Document N: <title>`
 * headers, about companies (founding year, headquarters, acquisitions) and unrelated topics.
 * Questions need one document (founding year, headquarters, acquirer) or two (the founding year
 * or headquarters of the company that acquired X). Scoring: normalized exact match, or a short
 * answer that contains the expected words.
 */
import { createRng, type Rng } from '../rng.js';
import { matchesShortAnswer } from '../scoring.js';
import { fillerParagraphs } from '../text.js';
import type { Family, GenerateOptions, Task } from '../types.js';
import { CITIES } from './pairwise.js';

export type QaKind = 'founded' | 'hq' | 'acquirer' | 'acquirer-founded' | 'acquirer-hq';

export interface QaExpected {
  kind: QaKind;
  answer: string;
  /** Document numbers that hold the needed facts. */
  evidence: number[];
}

const PREFIX = ['Norvane', 'Helix', 'Quorra', 'Altamir', 'Bexley', 'Calder', 'Drumlin', 'Estuary', 'Fenwick', 'Galloway', 'Harrow', 'Islay', 'Jarvik', 'Kilner', 'Lattice', 'Meridian', 'Northgate', 'Orison', 'Pillar', 'Quayside', 'Redfern', 'Stellan', 'Tidewater', 'Upland', 'Vesper', 'Westbrook', 'Yardley', 'Zenith', 'Ashgrove', 'Brightwater', 'Cobalt', 'Dunmore', 'Elmstead', 'Foxglove', 'Greywell', 'Holloway', 'Inchcape', 'Kingsley', 'Larkspur', 'Marlowe'];
const SUFFIX = ['Systems', 'Labs', 'Industries', 'Analytics', 'Foods', 'Logistics', 'Robotics', 'Energy', 'Textiles', 'Pharma', 'Media', 'Holdings', 'Networks', 'Materials', 'Instruments'];

interface Company {
  name: string;
  founded: number;
  hq: string;
  acquiredBy?: Company;
  acquiredIn?: number;
}

const TOPICS = ['The history of the northern railway', 'Notes on regional cuisine', 'A walking guide to the old town', 'The annual harbour festival', 'Traditional crafts of the valley', 'The botanical garden through the seasons', 'Bridges of the river delta', 'The university library collection'];

function foundingSentence(rng: Rng, c: Company): string {
  return rng.chance(0.5)
    ? `${c.name} was founded in ${c.founded} and is headquartered in ${c.hq}.`
    : `Founded in ${c.founded}, ${c.name} is headquartered in ${c.hq}.`;
}

function acquisitionSentence(rng: Rng, target: Company): string {
  const a = target.acquiredBy as Company;
  return rng.chance(0.5)
    ? `${target.name} was acquired by ${a.name} in ${target.acquiredIn}.`
    : `In ${target.acquiredIn}, ${a.name} acquired ${target.name}.`;
}

function distractor(rng: Rng, c: Company, other: Company): string {
  return rng.pick([
    `${c.name} opened a new office in ${rng.pick(CITIES)} last year.`,
    `Analysts said ${c.name} may one day buy ${other.name}.`,
    `${c.name} signed a supply agreement with ${other.name}.`,
    `A spokesperson for ${c.name} declined to comment on the rumours.`,
  ]);
}

const QUERIES: Record<QaKind, Array<(name: string) => string>> = {
  founded: [(c) => `In what year was ${c} founded?`, (c) => `When was ${c} established? Give the year.`],
  hq: [(c) => `In which city is ${c} headquartered?`, (c) => `Where does ${c} have its headquarters?`],
  acquirer: [(t) => `Which company acquired ${t}?`, (t) => `Who bought ${t}? Name the company.`],
  'acquirer-founded': [(t) => `In what year was the company that acquired ${t} founded?`, (t) => `${t} was acquired by another company. When was that company founded?`],
  'acquirer-hq': [(t) => `In which city is the company that acquired ${t} headquartered?`, (t) => `${t} was bought by another company. Where is that company headquartered?`],
};

/** One document body: filler paragraphs with the planted sentences spread in. */
function body(rng: Rng, pool: string[], sentences: string[], paragraphs: number, jitter = true): string {
  const count = Math.max(1, paragraphs + (jitter ? rng.int(-1, 1) : 0));
  const paras = Array.from({ length: count }, () => pool[Math.floor(rng.next() * pool.length)]);
  for (const s of sentences) {
    const at = rng.int(0, paras.length - 1);
    paras[at] = rng.chance(0.5) ? `${s} ${paras[at]}` : `${paras[at]} ${s}`;
  }
  return paras.join('\n\n');
}

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'multi-doc-qa', sizeBytes);
  const pool = fillerParagraphs(rng.fork('filler'), 'encyclopedia', 200);
  const approxDocs = Math.max(4, Math.round(sizeBytes / 2030));
  const nCompanies = Math.max(3, Math.min(300, Math.floor(approxDocs * 0.6)));
  const names = rng.sample(PREFIX.flatMap((p) => SUFFIX.map((s) => `${p} ${s}`)), nCompanies);
  const companies: Company[] = names.map((name) => ({ name, founded: rng.int(1900, 2015), hq: rng.pick(CITIES) }));
  // About a third of the companies were acquired by another one (never by themselves, no chains).
  const half = Math.ceil(companies.length / 2);
  for (let i = half; i < companies.length; i++) {
    if (i === half || rng.chance(0.6)) {
      const buyer = companies[rng.int(0, half - 1)];
      companies[i].acquiredBy = buyer;
      companies[i].acquiredIn = Math.max(buyer.founded, companies[i].founded) + rng.int(1, 8);
    }
  }
  // Documents: one per company (its founding facts), one per acquisition, then unrelated ones
  // until the requested size is reached.
  const avgPara = pool.reduce((acc, p) => acc + p.length + 2, 0) / pool.length;
  const required = companies.length + companies.filter((c) => c.acquiredBy).length;
  const paragraphs = Math.max(1, Math.min(8, Math.round((sizeBytes / Math.max(approxDocs, required) - 250) / avgPara)));
  type Doc = { title: string; body: string; company?: Company; about?: 'founding' | 'acquisition' };
  const docs: Doc[] = [];
  let total = 0;
  const add = (d: Omit<Doc, 'body'>, sentences: string[], count = paragraphs, jitter = true): void => {
    const doc = { ...d, body: body(rng, pool, sentences, count, jitter) };
    docs.push(doc);
    total += doc.title.length + doc.body.length + 30;
  };
  for (const c of companies) {
    add({ title: rng.pick([`Company profile: ${c.name}`, `${c.name} at a glance`, `About ${c.name}`]), company: c, about: 'founding' }, [foundingSentence(rng, c), distractor(rng, c, rng.pick(companies))]);
    if (c.acquiredBy) {
      add({ title: rng.pick([`Industry news: ${c.name}`, `Deals of the year`, `Market roundup`]), company: c, about: 'acquisition' }, [acquisitionSentence(rng, c), distractor(rng, c.acquiredBy, c)]);
    }
  }
  while (sizeBytes - total > avgPara / 2) {
    add({ title: rng.pick(TOPICS) }, [], Math.min(paragraphs, Math.max(1, Math.round((sizeBytes - total - 60) / avgPara))), false);
  }
  const ordered = rng.shuffle(docs);

  const acquired = companies.filter((c) => c.acquiredBy);
  const kind: QaKind = rng.pick(['founded', 'hq', 'acquirer', 'acquirer-founded', 'acquirer-hq', 'acquirer-founded', 'acquirer-hq'] as const);
  const subject = kind === 'founded' || kind === 'hq' ? rng.pick(companies) : rng.pick(acquired);
  const buyer = subject.acquiredBy;
  let answer: string;
  if (kind === 'founded') answer = String(subject.founded);
  else if (kind === 'hq') answer = subject.hq;
  else if (kind === 'acquirer') answer = (buyer as Company).name;
  else if (kind === 'acquirer-founded') answer = String((buyer as Company).founded);
  else answer = (buyer as Company).hq;
  const evidenceDocs = ordered
    .map((d, i) => ({ d, i: i + 1 }))
    .filter(({ d }) =>
      kind === 'founded' || kind === 'hq'
        ? d.company === subject && d.about === 'founding'
        : (d.company === subject && d.about === 'acquisition') || (kind !== 'acquirer' && d.company === buyer && d.about === 'founding'),
    )
    .map(({ i }) => i);

  const parts: string[] = [];
  ordered.forEach((d, i) => {
    parts.push(`### Document ${i + 1}: ${d.title}\n\n${d.body}\n`);
  });
  const query = rng.pick(QUERIES[kind])(subject.name);
  const expected: QaExpected = { kind, answer, evidence: evidenceDocs };
  return { id: `multi-doc-qa-${seed}-${sizeBytes}`, family: 'multi-doc-qa', query, context: parts.join('\n'), expected };
}

export function score(task: Task, answer: string): number {
  const e = task.expected as QaExpected;
  return matchesShortAnswer(answer, e.answer) ? 1 : 0;
}

export const multiDocQa: Family = {
  name: 'multi-doc-qa',
  description: 'Answer a one- or two-hop question about companies from hundreds of documents.',
  generate,
  score,
};
