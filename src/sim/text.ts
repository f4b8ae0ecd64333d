/**
 * Filler prose for haystacks, reports and documents. Sentences are assembled from small word
 * lists (ASCII only, no digits, none of the marker words the families plant), pooled, then
 * repeated at random to the requested size, so 10 MB takes a few tens of milliseconds.
 */
import type { Rng } from './rng.js';

export type FillerTopic = 'essay' | 'business' | 'encyclopedia' | 'community';

const OPENERS = ['', '', '', 'In practice, ', 'Over time, ', 'For most teams, ', 'Even so, ', 'As a rule, ', 'In the end, ', 'Often, ', 'Still, '];

const SUBJECTS: Record<FillerTopic, string[]> = {
  essay: ['the best founders', 'a good essay', 'most early users', 'the hardest problem', 'a small group of people', 'the usual advice', 'a startup', 'curiosity', 'the first version', 'an honest answer', 'good taste', 'the market'],
  business: ['the operations team', 'our regional office', 'the quarterly review', 'the supply chain', 'customer retention', 'the hiring plan', 'the finance group', 'the new warehouse', 'the sales pipeline', 'the support desk', 'vendor management', 'the planning cycle'],
  encyclopedia: ['the river valley', 'the old town', 'the local dialect', 'the northern coast', 'the cathedral', 'the harbour', 'the annual festival', 'the regional cuisine', 'the mountain pass', 'the railway line', 'the botanical garden', 'the university'],
  community: ['the book club', 'the neighbourhood garden', 'the weekly market', 'the volunteer group', 'the choir', 'the library', 'the youth league', 'the repair cafe', 'the walking group', 'the community hall', 'the school fair', 'the ferry service'],
};

const VERBS = ['tends to reward', 'slowly changes', 'rarely matches', 'quietly shapes', 'depends on', 'makes room for', 'often ignores', 'builds on', 'struggles with', 'gradually improves', 'reflects', 'competes with', 'draws attention to', 'keeps returning to'];

const OBJECTS: Record<FillerTopic, string[]> = {
  essay: ['what people actually want', 'the work that seems small', 'a long list of ideas', 'the habits of the team', 'the shape of the problem', 'an unusual kind of patience', 'the cost of waiting', 'the questions nobody asks'],
  business: ['the weekly schedule', 'the reporting process', 'the budget forecast', 'the onboarding checklist', 'the vendor contracts', 'the inventory levels', 'the training sessions', 'the maintenance backlog'],
  encyclopedia: ['the surrounding hills', 'the older buildings', 'the trade routes', 'the seasonal weather', 'the traditional crafts', 'the fishing villages', 'the stone bridges', 'the early settlers'],
  community: ['the evening meetings', 'the shared tools', 'the summer program', 'the notice board', 'the local newsletter', 'the parking rules', 'the opening hours', 'the holiday events'],
};

const TAILS = ['', '', ' in quiet ways', ' more than expected', ' over the long run', ' when nobody is looking', ' across the whole year', ' for better or worse', ' without much fuss', ' in the spring and autumn'];

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function fillerSentence(rng: Rng, topic: FillerTopic): string {
  const opener = rng.pick(OPENERS);
  const subject = rng.pick(SUBJECTS[topic]);
  const body = `${subject} ${rng.pick(VERBS)} ${rng.pick(OBJECTS[topic])}${rng.pick(TAILS)}.`;
  return opener ? opener + body : capitalize(body);
}

/** A pool of distinct-ish filler paragraphs (3-6 sentences each, one line each). */
export function fillerParagraphs(rng: Rng, topic: FillerTopic, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = rng.int(3, 6);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(fillerSentence(rng, topic));
    out.push(parts.join(' '));
  }
  return out;
}

/**
 * Paragraph lines drawn from a pool until their total length (with newlines) reaches
 * `targetChars`. Returns the lines, so callers can interleave planted lines.
 */
export function fillerLines(rng: Rng, topic: FillerTopic, targetChars: number, poolSize = 300): string[] {
  const pool = fillerParagraphs(rng, topic, poolSize);
  const lines: string[] = [];
  let total = 0;
  while (total < targetChars) {
    const line = pool[Math.floor(rng.next() * pool.length)];
    lines.push(line);
    total += line.length + 1;
  }
  return lines;
}

/** Inserts `items` at random distinct positions of `lines` (in place order preserved). */
export function interleave(rng: Rng, lines: string[], items: readonly string[]): string[] {
  const positions = items.map(() => rng.int(0, lines.length));
  const order = items.map((item, i) => ({ item, at: positions[i], tie: i })).sort((a, b) => a.at - b.at || a.tie - b.tie);
  const out: string[] = [];
  let next = 0;
  for (let i = 0; i <= lines.length; i++) {
    while (next < order.length && order[next].at === i) out.push(order[next++].item);
    if (i < lines.length) out.push(lines[i]);
  }
  return out;
}
