/**
 * needle (S-NIAH-like): a few planted "secret code for project X" facts in a long haystack of
 * essay filler, plus distractor mentions of the projects. The query asks for the code of one or
 * two projects. Scoring: the fraction of asked codes present in the answer (whole tokens,
 * normalized), minus a penalty for codes of other projects (guessing every code is wrong).
 */
import { createRng, type Rng } from '../rng.js';
import { normalize } from '../scoring.js';
import { fillerLines } from '../text.js';
import type { Family, GenerateOptions, Task } from '../types.js';

export interface NeedleExpected {
  /** The asked projects and their codes, in query order. */
  asked: Array<{ project: string; code: string }>;
  /** Codes of planted projects that were not asked about. */
  distractorCodes: string[];
}

const PROJECTS = ['Xylo', 'Brimstone', 'Quillon', 'Marrowind', 'Tessaly', 'Vantor', 'Orrin', 'Kestrel', 'Zephra', 'Halcyon', 'Ombra', 'Peregrine', 'Lumen', 'Corvid', 'Solace', 'Tamarind', 'Wicklow', 'Juniper', 'Obsidian', 'Nimbus', 'Falstaff', 'Gossamer', 'Ironwood', 'Mistral', 'Pallas', 'Quasar', 'Rookery', 'Sable', 'Thistle', 'Umber', 'Verdigris', 'Wren', 'Yarrow', 'Zinnia', 'Arbor', 'Basalt', 'Cinder', 'Dovetail', 'Ember', 'Fathom'];

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const WORDS = ['amber', 'cobalt', 'violet', 'granite', 'saffron', 'indigo', 'copper', 'maple', 'harbor', 'falcon'];

function makeCode(rng: Rng, style: number): string {
  const L = (): string => LETTERS.charAt(rng.int(0, LETTERS.length - 1));
  switch (style) {
    case 0:
      return `${rng.int(1000, 9999)}-${L()}${L()}`;
    case 1:
      return `${rng.pick(WORDS)}-${rng.int(1000, 9999)}`;
    default:
      return `${L()}${L()}-${rng.int(10, 99)}-${rng.int(100, 999)}`;
  }
}

const FACTS = [
  (p: string, c: string) => `The secret code for project ${p} is ${c}.`,
  (p: string, c: string) => `For the record, project ${p} uses the secret code ${c}.`,
  (p: string, c: string) => `Project ${p}'s secret code is ${c}.`,
  (p: string, c: string) => `Note: the access code assigned to project ${p} is ${c}.`,
];

const DISTRACTORS = [
  (p: string) => `The team behind project ${p} met again to discuss the schedule.`,
  (p: string) => `Nobody remembered who first proposed project ${p}.`,
  (p: string) => `Project ${p} was mentioned twice in the planning notes.`,
];

const ONE = [
  (p: string) => `What is the secret code for project ${p}?`,
  (p: string) => `Find the secret code assigned to project ${p}. Reply with the code only.`,
  (p: string) => `Somewhere in this text there is a secret code for project ${p}. What is it?`,
  (p: string) => `I need the access code of project ${p} - what is it?`,
];

const TWO = [
  (p: string, q: string) => `What are the secret codes for project ${p} and project ${q}?`,
  (p: string, q: string) => `Find the secret codes of project ${p} and of project ${q}.`,
];

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'needle', sizeBytes);
  const style = rng.int(0, 2);
  const planted = rng.sample(PROJECTS, rng.int(1, 4));
  const codes = new Map<string, string>();
  for (const p of planted) {
    let code = makeCode(rng, style);
    while ([...codes.values()].includes(code)) code = makeCode(rng, style);
    codes.set(p, code);
  }
  const askedNames = planted.length >= 2 && rng.chance(0.25) ? planted.slice(0, 2) : planted.slice(0, 1);
  const lines: string[] = [];
  for (const p of planted) {
    const code = codes.get(p) as string;
    lines.push(rng.pick(FACTS)(p, code));
    if (rng.chance(0.6)) lines.push(rng.pick(DISTRACTORS)(p));
  }
  const plantedChars = lines.reduce((a, l) => a + l.length + 1, 0);
  const haystack = fillerLines(rng.fork('filler'), 'essay', Math.max(0, sizeBytes - plantedChars));
  // Planted sentences join a random paragraph, so they read as part of the prose.
  const withFacts = haystack.slice();
  for (const line of lines) {
    const at = rng.int(0, Math.max(0, withFacts.length - 1));
    if (withFacts.length > 0 && rng.chance(0.7)) withFacts[at] = `${withFacts[at]} ${line}`;
    else withFacts.splice(at, 0, line);
  }
  const context = withFacts.join('\n');
  const query = askedNames.length === 1 ? rng.pick(ONE)(askedNames[0]) : rng.pick(TWO)(askedNames[0], askedNames[1]);
  const expected: NeedleExpected = {
    asked: askedNames.map((p) => ({ project: p, code: codes.get(p) as string })),
    distractorCodes: planted.filter((p) => !askedNames.includes(p)).map((p) => codes.get(p) as string),
  };
  return { id: `needle-${seed}-${sizeBytes}`, family: 'needle', query, context, expected };
}

function hasToken(answer: string, code: string): boolean {
  return ` ${normalize(answer)} `.includes(` ${normalize(code)} `);
}

export function score(task: Task, answer: string): number {
  const e = task.expected as NeedleExpected;
  const found = e.asked.filter((a) => hasToken(answer, a.code)).length;
  const wrong = e.distractorCodes.filter((c) => hasToken(answer, c)).length;
  return Math.max(0, found / e.asked.length - 0.5 * wrong);
}

export const needle: Family = {
  name: 'needle',
  description: 'Find one or two planted secret codes in a long essay haystack.',
  generate,
  score,
};
