/**
 * pairwise (OOLONG-Pairs-like): people described in free-text sentences (one person per line,
 * with city, birth year and hobby), among community-newsletter filler. The query asks for all
 * pairs that share two attributes (same city and hobby, same city and birth year, or same hobby
 * and birth year). Scoring: F1 over unordered pairs; answers as "A - B" lines or JSON arrays.
 */
import { createRng, type Rng } from '../rng.js';
import { f1, normalize, parseEmbeddedJson } from '../scoring.js';
import { fillerLines, interleave } from '../text.js';
import type { Family, GenerateOptions, Task } from '../types.js';

export type PersonKey = 'city' | 'hobby' | 'year';

export interface Person {
  name: string;
  city: string;
  hobby: string;
  year: number;
}

export interface PairwiseExpected {
  keys: [PersonKey, PersonKey];
  /** Pairs as "A - B" with the names in alphabetical order. */
  pairs: string[];
  people: number;
}

export const CITIES = ['Lisbon', 'Porto', 'Oslo', 'Bergen', 'Dublin', 'Cork', 'Vienna', 'Graz', 'Prague', 'Brno', 'Krakow', 'Gdansk', 'Lyon', 'Nantes', 'Bordeaux', 'Seville', 'Valencia', 'Bilbao', 'Turin', 'Naples', 'Bologna', 'Verona', 'Munich', 'Hamburg', 'Leipzig', 'Dresden', 'Zurich', 'Basel', 'Geneva', 'Ghent', 'Bruges', 'Utrecht', 'Leiden', 'Malmo', 'Uppsala', 'Aarhus', 'Odense', 'Tampere', 'Turku', 'Riga', 'Tallinn', 'Vilnius', 'Ljubljana', 'Zagreb', 'Sofia', 'Varna', 'Athens', 'Patras', 'Valletta', 'Salzburg'];
export const HOBBIES = ['pottery', 'chess', 'rock climbing', 'bird watching', 'sailing', 'baking', 'painting', 'gardening', 'fencing', 'archery', 'knitting', 'photography', 'cycling', 'rowing', 'surfing', 'origami', 'calligraphy', 'salsa dancing', 'beekeeping', 'woodworking', 'astronomy', 'kayaking', 'juggling', 'orienteering', 'bouldering', 'embroidery', 'fly fishing', 'glassblowing', 'skateboarding', 'tango', 'trail running', 'table tennis', 'violin', 'cello', 'piano', 'sudoku', 'quilting', 'judo', 'yoga', 'kite flying'];
const FIRST = ['Marta', 'Jonas', 'Ines', 'Pavel', 'Lucia', 'Tomas', 'Ana', 'Erik', 'Sofia', 'Mateo', 'Elena', 'Hugo', 'Clara', 'Nils', 'Greta', 'Otto', 'Lena', 'Felix', 'Maja', 'Bruno', 'Alma', 'Emil', 'Nora', 'Oskar', 'Irene', 'Viktor', 'Rosa', 'Anton', 'Freya', 'Luca', 'Edith', 'Milan', 'Vera', 'Jakob', 'Ida', 'Rafael', 'Selma', 'Karl', 'Petra', 'Dario', 'Agnes', 'Stefan', 'Livia', 'Marek', 'Hanna', 'Tobias', 'Zofia', 'Aron', 'Carla', 'Henrik', 'Dora', 'Filip', 'Olga', 'Simon', 'Eva', 'Lars', 'Mira', 'Paulo', 'Tilda', 'Ivan'];
const LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Novak', 'Ferreira', 'Kowalski', 'Brandt', 'Rossi', 'Haugen', 'Duarte', 'Keller', 'Varga', 'Costa', 'Nieminen', 'Horvat', 'Petrov', 'Jansen', 'Murphy', 'Dalton', 'Berg', 'Santos', 'Weber', 'Laine', 'Castro', 'Fischer', 'Olsen', 'Marin', 'Kruger', 'Sousa', 'Bianchi', 'Holm', 'Ivanova', 'Lorenz', 'Ramos', 'Vogel', 'Popescu', 'Szabo', 'Nilsen', 'Conti', 'Wagner', 'Dumont', 'Kovac', 'Lopes', 'Eriksen', 'Galli', 'Hoffmann', 'Mendes', 'Richter', 'Toth', 'Blom', 'Abbott', 'Quinn', 'Sorensen', 'Vidal', 'Yilmaz', 'Zeller', 'Pires', 'Strand', 'Ward', 'Amato'];
const FEMALE = new Set(['Marta', 'Ines', 'Lucia', 'Ana', 'Sofia', 'Elena', 'Clara', 'Greta', 'Lena', 'Maja', 'Alma', 'Nora', 'Irene', 'Rosa', 'Freya', 'Edith', 'Vera', 'Ida', 'Selma', 'Petra', 'Agnes', 'Livia', 'Hanna', 'Zofia', 'Carla', 'Dora', 'Olga', 'Eva', 'Mira', 'Tilda']);
const JOBS = ['nurse', 'carpenter', 'teacher', 'translator', 'pharmacist', 'architect', 'baker', 'librarian', 'engineer', 'florist', 'accountant', 'electrician'];

const BIOS: Array<(p: Person, he: string, his: string) => string> = [
  (p: Person) => `${p.name} lives in ${p.city}, was born in ${p.year}, and spends most weekends on ${p.hobby}.`,
  (p: Person) => `Born in ${p.year}, ${p.name} now lives in ${p.city} and is passionate about ${p.hobby}.`,
  (p: Person, he: string) => `${p.name} was born in ${p.year}. These days ${he} is based in ${p.city}, where ${he} enjoys ${p.hobby}.`,
  (p: Person, he: string, his: string) => `${p.name} resides in ${p.city}. ${cap(he)} was born in ${p.year} and ${his} favourite pastime is ${p.hobby}.`,
];
const EXTRAS: Array<(he: string, job: string) => string> = [
  (he: string, job: string) => ` ${cap(he)} works as a ${job}.`,
  (he: string) => ` ${cap(he)} also volunteers at the local library.`,
  (he: string) => ` ${cap(he)} has two cats and a very old bicycle.`,
  () => '',
  () => '',
];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const KEY_SETS: Array<[PersonKey, PersonKey]> = [
  ['city', 'hobby'],
  ['city', 'year'],
  ['hobby', 'year'],
];

const QUERIES: Record<string, string[]> = {
  'city,hobby': [
    'List all pairs of people who live in the same city and share the same hobby.',
    'Which pairs of people live in the same city and have the same hobby?',
    'Find every pair of people with the same city and the same hobby.',
  ],
  'city,year': [
    'List all pairs of people who live in the same city and were born in the same year.',
    'Which pairs of people share both their city and their birth year?',
  ],
  'hobby,year': [
    'Find every pair of people who have the same hobby and the same birth year.',
    'Which pairs of people were born in the same year and share the same hobby?',
  ],
};
const FORMAT_NOTES = [' Answer with one pair per line as "Name A - Name B".', ' Reply with one pair per line, formatted "A - B".', ''];

function value(p: Person, k: PersonKey): string {
  return k === 'year' ? String(p.year) : k === 'city' ? p.city : p.hobby;
}

function randomAttr(rng: Rng, k: PersonKey): string {
  if (k === 'city') return rng.pick(CITIES);
  if (k === 'hobby') return rng.pick(HOBBIES);
  return String(rng.int(1950, 2004));
}

function setAttr(p: Person, k: PersonKey, v: string): void {
  if (k === 'year') p.year = Number(v);
  else if (k === 'city') p.city = v;
  else p.hobby = v;
}

export function pairKey(a: string, b: string): string {
  const [x, y] = [normalize(a), normalize(b)].sort();
  return `${x} - ${y}`;
}

function makePeople(rng: Rng, n: number, keys: [PersonKey, PersonKey]): Person[] {
  const names = rng.sample(FIRST.flatMap((f) => LAST.map((l) => `${f} ${l}`)), n);
  const groups = Math.min(40, Math.max(2, 2 + Math.floor(n / 25)));
  const used = new Set<string>();
  const people: Person[] = [];
  let next = 0;
  const fresh = (): Person => ({ name: names[next++], city: rng.pick(CITIES), hobby: rng.pick(HOBBIES), year: rng.int(1950, 2004) });
  const combo = (): [string, string] => {
    for (;;) {
      const c: [string, string] = [randomAttr(rng, keys[0]), randomAttr(rng, keys[1])];
      if (!used.has(c.join('|'))) {
        used.add(c.join('|'));
        return c;
      }
    }
  };
  for (let g = 0; g < groups && next + 3 <= n; g++) {
    const c = combo();
    const size = rng.chance(0.2) ? 3 : 2;
    for (let i = 0; i < size; i++) {
      const p = fresh();
      setAttr(p, keys[0], c[0]);
      setAttr(p, keys[1], c[1]);
      people.push(p);
    }
  }
  while (next < n) {
    const p = fresh();
    const c = combo();
    setAttr(p, keys[0], c[0]);
    setAttr(p, keys[1], c[1]);
    people.push(p);
  }
  return rng.shuffle(people);
}

export function truePairs(people: readonly Person[], keys: readonly PersonKey[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of people) {
    const k = keys.map((key) => value(p, key)).join('|');
    const list = groups.get(k) ?? [];
    list.push(p.name);
    groups.set(k, list);
  }
  const pairs: string[] = [];
  for (const list of groups.values()) {
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) pairs.push([list[i], list[j]].sort().join(' - '));
  }
  return pairs.sort();
}

export function describePerson(rng: Rng, p: Person): string {
  const female = FEMALE.has(p.name.split(' ')[0]);
  const he = female ? 'she' : 'he';
  const his = female ? 'her' : 'his';
  return rng.pick(BIOS)(p, he, his) + rng.pick(EXTRAS)(he, rng.pick(JOBS));
}

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'pairwise', sizeBytes);
  const keys = rng.pick(KEY_SETS);
  const n = Math.max(8, Math.min(800, Math.floor(sizeBytes / 260)));
  const people = makePeople(rng, n, keys);
  const bios = people.map((p) => describePerson(rng, p));
  const bioChars = bios.reduce((a, b) => a + b.length + 1, 0);
  const header = 'Community directory: short profiles of members, with newsletter notes in between.';
  const filler = fillerLines(rng.fork('filler'), 'community', Math.max(0, sizeBytes - bioChars - header.length));
  const context = [header, ...interleave(rng, filler, bios)].join('\n');
  const query = rng.pick(QUERIES[keys.join(',')]) + rng.pick(FORMAT_NOTES);
  const expected: PairwiseExpected = { keys, pairs: truePairs(people, keys), people: n };
  return { id: `pairwise-${seed}-${sizeBytes}`, family: 'pairwise', query, context, expected };
}

/** Reads pairs from "A - B" lines (also "A and B", "A, B"), JSON [[a,b]] or ["A - B"]. */
export function parsePairs(answer: string): Set<string> {
  const out = new Set<string>();
  const json = parseEmbeddedJson(answer);
  if (Array.isArray(json)) {
    for (const item of json) {
      if (Array.isArray(item) && item.length === 2) out.add(pairKey(String(item[0]), String(item[1])));
      else if (typeof item === 'string') {
        const parts = item.split(/\s+-\s+|\s*,\s*|\s+and\s+/);
        if (parts.length === 2) out.add(pairKey(parts[0], parts[1]));
      } else if (item && typeof item === 'object') {
        const vals = Object.values(item as Record<string, unknown>).filter((v) => typeof v === 'string');
        if (vals.length >= 2) out.add(pairKey(String(vals[0]), String(vals[1])));
      }
    }
    if (out.size > 0) return out;
  }
  for (const raw of answer.split('\n')) {
    const line = raw.replace(/^\s*(?:[-*]|\d+[.)])\s*/, '').trim();
    const m = /^(.+?)\s+(?:-|–|and|&|<->|\/)\s+(.+?)\.?$/.exec(line) ?? /^([^,]+),\s*([^,]+)$/.exec(line);
    if (m) out.add(pairKey(m[1], m[2]));
  }
  return out;
}

export function score(task: Task, answer: string): number {
  const e = task.expected as PairwiseExpected;
  const truth = new Set(e.pairs.map((p) => {
    const [a, b] = p.split(' - ');
    return pairKey(a, b);
  }));
  return f1(parsePairs(answer), truth);
}

export const pairwise: Family = {
  name: 'pairwise',
  description: 'Extract people and their attributes from prose, then list all pairs sharing two attributes.',
  generate,
  score,
};
