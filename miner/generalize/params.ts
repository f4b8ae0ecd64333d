/**
 * Parameter extraction from the aligned members: the template's literal sites whose value differs in
 * some member become parameters. Sites that carry the same values in every member (one chunk size
 * written twice) become one parameter. At most `maxParams` (default 3) are required parameters —
 * those that take the most distinct values, prompts first on ties; numbers (sizes, counts, overlaps)
 * never are — the rest become options whose default is the members' most common value. Sites that never vary stay literals, unless their
 * values come from the user's question (query-values.ts).
 */
import type { Alignment } from './align.js';
import { valueKey, type JsonValue, type Literal, type LiteralKind, type LiteralSite } from './literals.js';

export interface PlannedParam {
  /** Site roles and name hints decide the name later (see param-names.ts); here a placeholder index. */
  index: number;
  kind: LiteralKind;
  /** Regular expressions: the flags every member uses. */
  flags?: string;
  required: boolean;
  /** Options: the most common member value; required parameters: the template's own (an example). */
  default: JsonValue;
  /** Path keys of the template sites this parameter replaces, in source order. */
  sites: string[];
  /** Per member (in member order): its value, or undefined where it did not align with the template. */
  values: (JsonValue | undefined)[];
  /** Distinct values over the members that aligned. */
  distinct: number;
  /** How much the site matters: prompts > label lists > patterns > sizes > other text. */
  weight: number;
  /** An instruction with named placeholders (instruction-template.ts): the values the function fills in. */
  placeholders?: Placeholder[];
  /** Wording with placeholders that the function returns (the answer's sentence), not text it uses on the way. */
  answer?: boolean;
  /** A chunk budget whose most common value sends more than the sub-model's answers ever drew on: that value and the window. */
  pastWindow?: { common: number; window: number };
}

/** A value the function fills into an instruction: `{name}` in the text. */
export interface Placeholder {
  name: string;
  /** What is filled in, for the doc (`the kinds, joined by ", "`). */
  what: string;
}

export interface ParamPlanInput {
  sites: LiteralSite[];
  /** One alignment per member, in member order (the template's own member included). */
  alignments: Alignment[];
  /** Site path key → weight (from its role in the template). */
  weightOf: (site: LiteralSite) => number;
  maxParams?: number;
  /** Sites that become parameters even when no member varies them (values the queries supply). */
  forced?: ReadonlySet<string>;
  /** Sites that tune how the function works (a choice it branches on): options, never required. */
  tuning?: (site: LiteralSite) => boolean;
}

export const DEFAULT_MAX_PARAMS = 3;

/** The most common defined value (ties: the first seen in member order). */
export function mostCommon(values: readonly (JsonValue | undefined)[], fallback: JsonValue): JsonValue {
  const counts = new Map<string, { value: JsonValue; n: number; first: number }>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    const k = valueKey(v);
    const e = counts.get(k);
    if (e) e.n++;
    else counts.set(k, { value: v, n: 1, first: i });
  });
  let best: { value: JsonValue; n: number; first: number } | undefined;
  for (const e of counts.values()) if (!best || e.n > best.n || (e.n === best.n && e.first < best.first)) best = e;
  return best ? best.value : fallback;
}

function memberValue(a: Alignment, site: LiteralSite): JsonValue | undefined {
  const lit: Literal | undefined = a.values.get(site.key);
  return lit === undefined ? undefined : lit.value;
}

/** Plans the parameters: required first (in order of first site), then options (same order). */
export function planParams(input: ParamPlanInput): PlannedParam[] {
  const max = input.maxParams ?? DEFAULT_MAX_PARAMS;
  const groups = new Map<string, { sites: LiteralSite[]; values: (JsonValue | undefined)[] }>();
  for (const site of input.sites) {
    const values = input.alignments.map((a) => memberValue(a, site));
    const varies = values.some((v) => v !== undefined && valueKey(v) !== valueKey(site.literal.value));
    if (!varies && !input.forced?.has(site.key)) continue;
    const key = `${site.literal.kind}/${site.literal.flags ?? ''}/${valueKey(site.literal.value)}/${values.map((v) => (v === undefined ? '-' : valueKey(v))).join('\u0000')}`;
    const g = groups.get(key);
    if (g) g.sites.push(site);
    else groups.set(key, { sites: [site], values });
  }
  const templateValue = new Map<number, JsonValue>();
  const tuningGroup = new Map<number, boolean>();
  const planned: PlannedParam[] = [...groups.values()].map((g, i) => {
    tuningGroup.set(i, g.sites.every((s) => input.tuning?.(s) ?? false));
    const first = g.sites[0];
    templateValue.set(i, first.literal.value);
    const defined = g.values.filter((v): v is JsonValue => v !== undefined);
    return {
      index: i,
      kind: first.literal.kind,
      flags: first.literal.flags,
      required: false,
      default: mostCommon(g.values, first.literal.value),
      sites: g.sites.map((s) => s.key),
      values: g.values,
      distinct: new Set(defined.map(valueKey)).size,
      weight: Math.max(...g.sites.map((s) => input.weightOf(s))),
    };
  });
  const ranked = [...planned].sort((a, b) => b.distinct - a.distinct || b.weight - a.weight || a.index - b.index);
  // sizes, counts and overlaps are tuning, not what the caller asks: options with the members'
  // most common value (a caller who passes a chunk size where an overlap goes gets a loop of one-character chunks)
  // (and so are choices the code branches on, like how to cut the input)
  for (const p of ranked.filter((r) => r.kind !== 'num' && !tuningGroup.get(r.index)).slice(0, max)) p.required = true;
  for (const p of planned) if (p.required) p.default = templateValue.get(p.index) ?? p.default;
  const order = (p: PlannedParam) => p.index;
  const required = planned.filter((p) => p.required).sort((a, b) => order(a) - order(b));
  const options = planned.filter((p) => !p.required).sort((a, b) => order(a) - order(b));
  return [...required, ...options].map((p, i) => ({ ...p, index: i }));
}

/** A TypeScript type for the values a parameter takes. */
export function typeOfValues(kind: LiteralKind, values: readonly JsonValue[]): string {
  if (kind === 'num') return 'number';
  if (kind !== 'json') return 'string';
  return jsonType(values);
}

function jsonType(values: readonly JsonValue[]): string {
  const parts = new Set<string>();
  const arrays: JsonValue[] = [];
  const objects: JsonValue[] = [];
  for (const v of values) {
    if (v === null) parts.add('null');
    else if (Array.isArray(v)) arrays.push(...v);
    else if (typeof v === 'object') objects.push(...Object.values(v));
    else parts.add(typeof v);
  }
  const hasArr = values.some((v) => Array.isArray(v));
  const hasObj = values.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  if (hasArr) {
    const el = arrays.length ? jsonType(arrays) : 'never';
    parts.add(el.includes(' ') ? `(${el})[]` : `${el}[]`);
  }
  if (hasObj) parts.add(`Record<string, ${objects.length ? jsonType(objects) : 'never'}>`);
  return [...parts].join(' | ') || 'never';
}
