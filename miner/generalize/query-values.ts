/**
 * Literal sites whose values come from the user's question: a label list whose every label the
 * member's query names (`["refund", "shipping", ...]` for "the categories are: refund, shipping,
 * ..."), or a short text the query contains. They become parameters even when every member used
 * the same value, since another question will name other values; the doc says to take them from
 * the question.
 */
import type { Alignment } from './align.js';
import { sameLiteralKind, valueKey, type JsonValue, type LiteralSite } from './literals.js';

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

/**
 * For a member that did not align at a site whose value comes from the question (the template
 * loops over `["Tessaly", "Tamarind"]` where the member binds `projects = ["Tessaly", "Umber"]`
 * first), its value is the member's one literal of the same kind and shape that its own query
 * names: the argument that reproduces it, not the template's default. Adds it to the alignment.
 */
export function fillFromQuery(sites: readonly LiteralSite[], fromQuery: ReadonlySet<string>, alignments: readonly Alignment[], memberSites: readonly (readonly LiteralSite[])[], queries: readonly string[]): void {
  for (const site of sites) {
    if (!fromQuery.has(site.key)) continue;
    alignments.forEach((a, i) => {
      if (a.values.has(site.key)) return;
      const fits = memberSites[i].filter(
        (m) => !a.usedMemberSites.has(m.key) && sameLiteralKind(m.literal, site.literal) && Array.isArray(m.literal.value) === Array.isArray(site.literal.value) && mentions(queries[i] ?? '', m.literal.value),
      );
      const values = new Set(fits.map((m) => valueKey(m.literal.value)));
      if (values.size !== 1) return; // none, or ambiguous
      a.values.set(site.key, fits[0].literal);
      a.usedMemberSites.add(fits[0].key);
    });
  }
}
