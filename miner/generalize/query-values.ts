/**
 * Literal sites whose values come from the user's question: a label list whose every label the
 * member's query names (`["refund", "shipping", ...]` for "the categories are: refund, shipping,
 * ..."), or a short text the query contains. They become parameters even when every member used
 * the same value, since another question will name other values; the doc says to take them from
 * the question.
 */
import type { Alignment } from './align.js';
import type { JsonValue, LiteralSite } from './literals.js';

const normalize = (s: string) => s.toLowerCase().replace(/[-_\s]+/g, ' ').trim();

function mentions(query: string, value: JsonValue): boolean {
  const q = normalize(query);
  if (Array.isArray(value)) {
    const texts = value.filter((v): v is string => typeof v === 'string');
    return texts.length >= 2 && texts.length === value.length && texts.every((t) => /[a-z]{3}/i.test(t) && q.includes(normalize(t)));
  }
  if (typeof value === 'string') return value.length <= 40 && /[a-z]{3}/i.test(value) && q.includes(normalize(value));
  return false;
}

/** Keys of the template sites whose aligned value every member's query mentions (members that did not align are not asked). */
export function queryValueSites(sites: readonly LiteralSite[], alignments: readonly Alignment[], queries: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const site of sites) {
    if (site.literal.kind !== 'json' && site.literal.kind !== 'str') continue;
    let aligned = 0;
    let all = true;
    alignments.forEach((a, i) => {
      const lit = a.values.get(site.key);
      if (!lit) return;
      aligned++;
      if (!mentions(queries[i] ?? '', lit.value)) all = false;
    });
    if (all && aligned >= 1) out.add(site.key);
  }
  return out;
}
