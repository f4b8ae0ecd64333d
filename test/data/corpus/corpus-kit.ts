/**
 * Building blocks for the labelled-corpus generator: a per-program generator of names, literals
 * and forms (each varied only when its kind of variation is switched on), and the common steps of
 * decompositions (chunking, mapping a model call, filtering, counting) in their many spellings.
 */
import type { Rng } from '../../../src/sim/rng.js';

export interface Variation {
  /** Variable and function names (and naming intermediate values, e.g. the prompt). */
  names: boolean;
  /** Prompt wording, chunk sizes, regexes, separators. */
  literals: boolean;
  /** for-of + push / map + Promise.all / llmBatch / classic for / forEach / helper functions. */
  loopForms: boolean;
  /** Order of independent statements. */
  order: boolean;
  /** Extra prints, peeks, checks and abandoned attempts (including failed blocks). */
  extras: boolean;
  /** TypeScript type annotations. */
  types: boolean;
  /** Splitting the program into 1–3 blocks. */
  blocks: boolean;
  /** Different but equivalent spellings of predicates and final formatting. */
  style: boolean;
}

export const ALL_VARIATION: Variation = { names: true, literals: true, loopForms: true, order: true, extras: true, types: true, blocks: true, style: true };
export const NO_VARIATION: Variation = { names: false, literals: false, loopForms: false, order: false, extras: false, types: false, blocks: false, style: false };

export class Gen {
  private readonly names = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(
    readonly rng: Rng,
    readonly vary: Variation,
  ) {}

  /** The program's name for a role (stable within the program). */
  name(role: string, pool: readonly string[]): string {
    const hit = this.names.get(role);
    if (hit) return hit;
    let n = this.vary.names ? this.rng.pick(pool) : pool[0];
    if (this.vary.names && this.rng.chance(0.25)) n += this.rng.pick(['2', 'List', 'Arr', '_', 'Out', 'All']);
    while (this.used.has(n)) n += this.rng.int(0, 9);
    this.used.add(n);
    this.names.set(role, n);
    return n;
  }

  /** A literal choice. */
  lit<T>(xs: readonly T[]): T {
    return this.vary.literals ? this.rng.pick(xs) : xs[0];
  }

  /** A loop-form choice. */
  form<T>(xs: readonly T[]): T {
    return this.vary.loopForms ? this.rng.pick(xs) : xs[0];
  }

  /** A style choice (equivalent predicates, final formatting). */
  style<T>(xs: readonly T[]): T {
    return this.vary.style ? this.rng.pick(xs) : xs[0];
  }

  /** A type annotation, sometimes. */
  ty(annotation: string): string {
    return this.vary.types && this.rng.chance(0.5) ? annotation : '';
  }

  /** Extra statements (prints, peeks, checks), sometimes. */
  extra(...code: string[]): string[] {
    return this.vary.extras && this.rng.chance(0.45) ? code : [];
  }

  /** Independent statement groups, in a random order when order varies. */
  order(groups: readonly string[][]): string[] {
    const g = this.vary.order ? this.rng.shuffle(groups) : groups;
    return g.flat();
  }

  /** Optionally names a value: returns [declarations, expression to use]. */
  maybeConst(role: string, pool: readonly string[], expr: string, type = ''): [string[], string] {
    if (this.vary.names && this.rng.chance(0.5)) {
      const n = this.name(role, pool);
      return [[`const ${n}${this.ty(type)} = ${expr};`], n];
    }
    return [[], expr];
  }
}

/** One multi-line statement. */
export function lines(...ls: string[]): string {
  return ls.join('\n');
}

export function str(s: string): string {
  return JSON.stringify(s);
}

/** A template literal with the given raw text (raw: holes and nested templates are written as is). */
export function tpl(raw: string): string {
  return '`' + raw + '`';
}

export interface ChunkStep {
  out: string;
  src: string;
  size: number;
}

/** Splits `src` into chunks of `size` characters, in one of several spellings. */
export function chunkStep(g: Gen, o: ChunkStep): string[] {
  const [sizeDecl, size] = g.maybeConst('chunkSize', ['CHUNK', 'size', 'chunkSize', 'SIZE', 'n', 'window'], String(o.size), ': number');
  const arr = g.ty(': string[]');
  const form = g.form(['for-slice', 'match', 'array-from', 'ceil-loop', 'for-substring', 'for-min'] as const);
  const i = g.name('chunkIndex', ['i', 'pos', 'start', 'off', 'k']);
  switch (form) {
    case 'for-slice':
      return [...sizeDecl, `const ${o.out}${arr} = [];`, lines(`for (let ${i} = 0; ${i} < ${o.src}.length; ${i} += ${size}) {`, `  ${o.out}.push(${o.src}.slice(${i}, ${i} + ${size}));`, `}`)];
    case 'for-substring':
      return [...sizeDecl, `const ${o.out}${arr} = [];`, `for (let ${i} = 0; ${i} < ${o.src}.length; ${i} += ${size}) ${o.out}.push(${o.src}.substring(${i}, ${i} + ${size}));`];
    case 'for-min':
      return [...sizeDecl, `const ${o.out}${arr} = [];`, lines(`for (let ${i} = 0; ${i} < ${o.src}.length; ${i} = ${i} + ${size}) {`, `  const piece = ${o.src}.slice(${i}, Math.min(${i} + ${size}, ${o.src}.length));`, `  ${o.out}.push(piece);`, `}`)];
    case 'match':
      return [`const ${o.out}${arr} = ${o.src}.match(/[\\s\\S]{1,${o.size}}/g) || [];`];
    case 'array-from':
      return [...sizeDecl, `const ${o.out}${arr} = Array.from({ length: Math.ceil(${o.src}.length / ${size}) }, (_, ${i}) => ${o.src}.slice(${i} * ${size}, (${i} + 1) * ${size}));`];
    case 'ceil-loop': {
      const n = g.name('chunkCount', ['n', 'count', 'numChunks', 'total']);
      return [
        ...sizeDecl,
        `const ${n} = Math.ceil(${o.src}.length / ${size});`,
        `const ${o.out}${arr} = [];`,
        `for (let ${i} = 0; ${i} < ${n}; ${i}++) ${o.out}.push(${o.src}.slice(${i} * ${size}, (${i} + 1) * ${size}));`,
      ];
    }
  }
}

export interface MapStep {
  out: string;
  coll: string;
  /** The element: a name, or a destructuring pattern such as `[path, src]`. */
  item: string;
  /** The query expression (may use the names bound by `item`). */
  query: string;
  /** The context expression, or undefined for llm(query) alone. */
  ctx?: string;
  /** `llm` or `rlm`. */
  fn?: 'llm' | 'rlm';
  /** Wraps the (awaited) answer into the mapped value, e.g. r => `## ${path}\n${r}`. */
  wrap?: (answer: string) => string;
}

/** Maps a model call over a collection, in one of several spellings (all one map form after normalization). */
export function mapStep(g: Gen, o: MapStep): string[] {
  const fn = o.fn ?? 'llm';
  const call = o.ctx === undefined ? `${fn}(${o.query})` : `${fn}(${o.query}, ${o.ctx})`;
  const arr = g.ty(': string[]');
  const r = g.name('mapResult', ['r', 'res', 'ans', 'reply', 'answer', 'out1']);
  const i = g.name('mapIndex', ['i', 'j', 'idx', 'k']);
  const reqs = g.name('requests', ['reqs', 'requests', 'batch', 'calls', 'jobs']);
  const helper = g.name('helper', ['ask', 'askOne', 'process', 'handle', 'query1', 'run']);
  const batchItem = o.ctx === undefined ? `({ query: ${o.query} })` : g.style([`({ query: ${o.query}, context: ${o.ctx} })`, `({ context: ${o.ctx}, query: ${o.query} })`]);
  const wrap = (x: string): string => (o.wrap ? o.wrap(x) : x);
  const forms = ['forof-const', 'forof-inline', 'all-async', 'all-plain', 'all-block', 'batch', 'batch-prepared', 'classic-for', 'helper', 'helper-arrow', 'batch-loop'] as const;
  // llmBatch returns the raw answers: no batch forms when the answer is wrapped.
  const form = g.form(o.wrap || fn === 'rlm' ? forms.filter((f) => !f.startsWith('batch')) : forms);
  switch (form) {
    case 'forof-const':
      return [`const ${o.out}${arr} = [];`, lines(`for (const ${o.item} of ${o.coll}) {`, `  const ${r} = await ${call};`, `  ${o.out}.push(${wrap(r)});`, `}`)];
    case 'forof-inline':
      return [`const ${o.out}${arr} = [];`, `for (const ${o.item} of ${o.coll}) ${o.out}.push(${wrap(`await ${call}`)});`];
    case 'all-async':
      return [`const ${o.out}${arr} = await Promise.all(${o.coll}.map(async (${o.item}) => ${wrap(`await ${call}`)}));`];
    case 'all-plain':
      return [`const ${o.out}${arr} = await Promise.all(${o.coll}.map(${o.wrap ? 'async ' : ''}(${o.item}) => ${wrap(o.wrap ? `await ${call}` : call)}));`];
    case 'all-block':
      return [lines(`const ${o.out}${arr} = await Promise.all(${o.coll}.map(async (${o.item}) => {`, `  const ${r} = await ${call};`, `  return ${wrap(r)};`, `}));`)];
    case 'batch':
      return [`const ${o.out}${arr} = await llmBatch(${o.coll}.map((${o.item}) => ${batchItem}));`];
    case 'batch-prepared':
      return [`const ${reqs} = ${o.coll}.map((${o.item}) => ${batchItem});`, `const ${o.out}${arr} = await llmBatch(${reqs});`];
    case 'batch-loop':
      return [`const ${reqs} = [];`, `for (const ${o.item} of ${o.coll}) ${reqs}.push(${batchItem});`, `const ${o.out}${arr} = await llmBatch(${reqs});`];
    case 'classic-for':
      return [`const ${o.out}${arr} = [];`, lines(`for (let ${i} = 0; ${i} < ${o.coll}.length; ${i}++) {`, `  const ${o.item} = ${o.coll}[${i}];`, `  ${o.out}.push(${wrap(`await ${call}`)});`, `}`)];
    case 'helper':
      return [lines(`async function ${helper}(${o.item}) {`, `  return ${wrap(`await ${call}`)};`, `}`), `const ${o.out}${arr} = await Promise.all(${o.coll}.map(${helper}));`];
    case 'helper-arrow':
      return [lines(`const ${helper} = async (${o.item}) => {`, `  const ${r} = await ${call};`, `  return ${wrap(r)};`, `};`), `const ${o.out}${arr} = await Promise.all(${o.coll}.map(${helper}));`];
  }
}

export interface FilterStep {
  out: string;
  coll: string;
  item: string;
  pred: string;
}

/** Keeps the elements of a collection that satisfy a predicate, in one of several spellings. */
export function filterStep(g: Gen, o: FilterStep): string[] {
  const arr = g.ty(': string[]');
  const i = g.name('filterIndex', ['i', 'j', 'n', 'k']);
  const form = g.form(['filter', 'forof-if', 'classic-for', 'forEach'] as const);
  switch (form) {
    case 'filter':
      return [`const ${o.out}${arr} = ${o.coll}.filter((${o.item}) => ${o.pred});`];
    case 'forof-if':
      return [`const ${o.out}${arr} = [];`, lines(`for (const ${o.item} of ${o.coll}) {`, `  if (${o.pred}) ${o.out}.push(${o.item});`, `}`)];
    case 'classic-for':
      return [`const ${o.out}${arr} = [];`, lines(`for (let ${i} = 0; ${i} < ${o.coll}.length; ${i}++) {`, `  const ${o.item} = ${o.coll}[${i}];`, `  if (${o.pred}) ${o.out}.push(${o.item});`, `}`)];
    case 'forEach':
      return [`const ${o.out}${arr} = [];`, lines(`${o.coll}.forEach((${o.item}) => {`, `  if (${o.pred}) ${o.out}.push(${o.item});`, `});`)];
  }
}

export interface CountStep {
  out: string;
  coll: string;
  item: string;
  pred: string;
}

/** Counts the elements that satisfy a predicate, in one of several spellings. */
export function countStep(g: Gen, o: CountStep): string[] {
  const acc = g.name('reduceAcc', ['acc', 'sum', 'total', 'a']);
  const form = g.form(['filter-length', 'counter', 'counter-plus', 'reduce', 'reduce-cond', 'forEach'] as const);
  const num = g.ty(': number');
  switch (form) {
    case 'filter-length':
      return [`const ${o.out}${num} = ${o.coll}.filter((${o.item}) => ${o.pred}).length;`];
    case 'counter':
      return [`let ${o.out}${num} = 0;`, lines(`for (const ${o.item} of ${o.coll}) {`, `  if (${o.pred}) ${o.out}++;`, `}`)];
    case 'counter-plus':
      return [`let ${o.out}${num} = 0;`, `for (const ${o.item} of ${o.coll}) if (${o.pred}) ${o.out} += 1;`];
    case 'reduce':
      return [`const ${o.out}${num} = ${o.coll}.reduce((${acc}, ${o.item}) => ${acc} + (${o.pred} ? 1 : 0), 0);`];
    case 'reduce-cond':
      return [`const ${o.out}${num} = ${o.coll}.reduce((${acc}, ${o.item}) => (${o.pred} ? ${acc} + 1 : ${acc}), 0);`];
    case 'forEach':
      return [`let ${o.out}${num} = 0;`, lines(`${o.coll}.forEach((${o.item}) => {`, `  if (${o.pred}) ${o.out}++;`, `});`)];
  }
}
