/**
 * code-review: a multi-file TypeScript dump (`// File: src/...` headers) with planted defects of
 * six kinds. The answer lists `file: kind` lines; scoring is F1 over (file, kind) pairs.
 */
import { createRng, type Rng } from '../rng.js';
import { f1 } from '../scoring.js';
import type { Family, GenerateOptions, Task } from '../types.js';

export const DEFECT_KINDS = ['loose-equality', 'off-by-one', 'unawaited-promise', 'hardcoded-secret', 'sql-injection', 'empty-catch'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface CodeReviewExpected {
  /** "path: kind" entries, sorted. */
  findings: string[];
  files: number;
}

const NOUNS = ['order', 'user', 'invoice', 'item', 'account', 'session', 'report', 'payment', 'product', 'message'];
const DIRS = ['api', 'services', 'jobs', 'billing', 'auth', 'lib', 'handlers', 'models', 'utils', 'workers'];
const ROLES = ['admin', 'owner', 'guest', 'editor'];
const STATES = ['active', 'closed', 'pending', 'archived'];
const TABLES = ['orders', 'users', 'invoices', 'items', 'accounts', 'sessions'];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

type Template = (rng: Rng, noun: string, bad: boolean) => string;

const TEMPLATES: Record<DefectKind, Template> = {
  'loose-equality': (rng, noun, bad) => {
    const role = rng.pick(ROLES);
    return `export function can${cap(noun)}Edit(${noun}: { role: string; locked: boolean }): boolean {
  if (${noun}.role ${bad ? '==' : '==='} '${role}') {
    return !${noun}.locked;
  }
  return false;
}
`;
  },
  'off-by-one': (_rng, noun, bad) => `export function total${cap(noun)}Price(${noun}s: Array<{ price: number }>): number {
  let total = 0;
  for (let i = 0; i ${bad ? '<=' : '<'} ${noun}s.length; i++) {
    total += ${noun}s[i].price;
  }
  return total;
}
`,
  'unawaited-promise': (rng, noun, bad) => `export async function archive${cap(noun)}(db: Db, ${noun}: Record<string, unknown>): Promise<void> {
  ${noun}.archivedAt = new Date().toISOString();
  ${bad ? '' : 'await '}db.${rng.pick(['save', 'insert', 'publish'])}(${noun});
  logger.info('archived ${noun}');
}
`,
  'hardcoded-secret': (rng, noun, bad) => {
    const secret = `sk_live_${rng.int(100000, 999999)}${rng.pick(['abXq', 'Qz7k', 'mN3p', 'tR8w'])}${rng.int(1000, 9999)}`;
    const name = rng.pick(['apiKey', 'API_SECRET', 'paymentToken', 'dbPassword']);
    return `const ${name} = ${bad ? `'${secret}'` : `process.env.${name.toUpperCase()} ?? ''`};

export function ${noun}Client(): Client {
  return new Client({ baseUrl: config.baseUrl, credential: ${name} });
}
`;
  },
  'sql-injection': (rng, noun, bad) => {
    const table = rng.pick(TABLES);
    const call = bad
      ? `db.query("SELECT * FROM ${table} WHERE ${noun}_id = '" + id + "'")`
      : `db.query('SELECT * FROM ${table} WHERE ${noun}_id = $1', [id])`;
    return `export async function find${cap(noun)}Rows(db: Db, id: string): Promise<Row[]> {
  const rows = await ${call};
  return rows.filter((r) => r.deleted_at === null);
}
`;
  },
  'empty-catch': (_rng, noun, bad) => `export async function load${cap(noun)}(store: Store, key: string): Promise<unknown> {
  try {
    return await store.get(key);
  } catch (err) {${bad ? '}' : `
    logger.warn('load ${noun} failed', err);
    throw err;
  }`}
}
`,
};

const NEUTRAL: Array<(rng: Rng, noun: string) => string> = [
  (rng, noun) => `export function format${cap(noun)}Label(${noun}: { name: string; state: string }): string {
  const state = ${noun}.state === '${rng.pick(STATES)}' ? 'open' : ${noun}.state;
  return ${noun}.name.trim() + ' (' + state + ')';
}
`,
  (_rng, noun) => `export function group${cap(noun)}s<T extends { key: string }>(list: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const entry of list) {
    const bucket = groups.get(entry.key) ?? [];
    bucket.push(entry);
    groups.set(entry.key, bucket);
  }
  return groups;
}
`,
  (rng, noun) => `export const ${noun.toUpperCase()}_LIMIT = ${rng.int(10, 500)};

export function clamp${cap(noun)}Count(n: number): number {
  return Math.max(0, Math.min(${noun.toUpperCase()}_LIMIT, n));
}
`,
];

const QUERIES = [
  (k: string) => `Review this codebase for defects. List each one as "file: kind", where kind is one of: ${k}.`,
  (k: string) => `Find the bugs in the code below. For each, output a line "path: kind" using these kinds: ${k}.`,
  (k: string) => `Do a code review of these files and report every defect as "file: kind" (kinds: ${k}).`,
];

function makeFile(rng: Rng, path: string, defects: DefectKind[]): string {
  const parts: string[] = [`// File: ${path}`, `import { logger, config, Client } from '../lib/core';`, `import type { Db, Row, Store } from '../lib/types';`, ''];
  const kinds = rng.sample(DEFECT_KINDS, rng.int(2, 4));
  for (const d of defects) if (!kinds.includes(d)) kinds.push(d);
  for (const kind of rng.shuffle(kinds)) {
    parts.push(TEMPLATES[kind](rng, rng.pick(NOUNS), defects.includes(kind)));
    if (rng.chance(0.5)) parts.push(rng.pick(NEUTRAL)(rng, rng.pick(NOUNS)));
  }
  return parts.join('\n');
}

export function generate({ seed, sizeBytes }: GenerateOptions): Task {
  const rng = createRng(seed, 'code-review', sizeBytes);
  const files: string[] = [];
  const findings: string[] = [];
  let total = 0;
  let i = 0;
  while (total < sizeBytes) {
    i++;
    const path = `src/${rng.pick(DIRS)}/${rng.pick(NOUNS)}-${rng.pick(['store', 'service', 'handler', 'util', 'job', 'model'])}-${i}.ts`;
    const defects = rng.chance(0.4) ? [] : rng.sample(DEFECT_KINDS, rng.chance(0.7) ? 1 : 2);
    let text = makeFile(rng, path, defects);
    // Near the end, try a few smaller files rather than overshoot the size.
    for (let tries = 0; files.length >= 3 && total + text.length > sizeBytes * 1.04 && tries < 8; tries++) text = makeFile(rng, path, defects);
    if (files.length >= 3 && total + text.length > sizeBytes * 1.04) break;
    files.push(text);
    total += text.length + 1;
    for (const d of defects) findings.push(`${path}: ${d}`);
  }
  const query = rng.pick(QUERIES)(DEFECT_KINDS.join(', '));
  const expected: CodeReviewExpected = { findings: findings.sort(), files: files.length };
  return { id: `code-review-${seed}-${sizeBytes}`, family: 'code-review', query, context: files.join('\n'), expected };
}

const KIND_ALIASES: Array<[RegExp, DefectKind]> = [
  [/loose[- ]?equal|==|double equals|strict equality/i, 'loose-equality'],
  [/off[- ]?by[- ]?one|<=\s*length|out of bounds/i, 'off-by-one'],
  [/unawaited|missing await|floating promise|not awaited/i, 'unawaited-promise'],
  [/hard[- ]?coded|secret|credential/i, 'hardcoded-secret'],
  [/sql|injection/i, 'sql-injection'],
  [/empty[- ]?catch|swallow/i, 'empty-catch'],
];

/** Reads "path: kind" findings from free text (also "path - kind", JSON [{file, kind}]). */
export function parseFindings(answer: string): Set<string> {
  const out = new Set<string>();
  for (const raw of answer.split('\n')) {
    const m = /([\w./-]+\.(?:ts|js|tsx))\W+(.+)$/.exec(raw) ?? /"file"\s*:\s*"([^"]+)".*?"kind"\s*:\s*"([^"]+)"/.exec(raw);
    if (!m) continue;
    const found = KIND_ALIASES.find(([re]) => re.test(m[2]));
    if (found) out.add(`${m[1]}: ${found[1]}`);
  }
  return out;
}

export function score(task: Task, answer: string): number {
  const e = task.expected as CodeReviewExpected;
  return f1(parseFindings(answer), new Set(e.findings));
}

export const codeReview: Family = {
  name: 'code-review',
  description: 'Review a multi-file code dump and list planted defects as file: kind.',
  generate,
  score,
};
