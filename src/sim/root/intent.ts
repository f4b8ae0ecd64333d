/**
 * What the root model makes of the query: which kind of task it is and its parameters, read
 * from the wording (as a real model would), with phrasings beyond the generators' own.
 */

export type PairField = 'city' | 'hobby' | 'year';
export type QuestionKind = 'founded' | 'hq' | 'acquirer' | 'acquirer-founded' | 'acquirer-hq';

export type Intent =
  | { family: 'needle'; projects: string[] }
  | { family: 'classify-count'; labels: string[]; mode: 'counts' | 'top' }
  | { family: 'pairwise'; fields: PairField[] }
  | { family: 'multi-doc-qa'; kind: QuestionKind; entity: string }
  | { family: 'summary' }
  | { family: 'code-review'; kinds: string[] }
  | { family: 'generic' };

const DEFAULT_KINDS = ['loose-equality', 'off-by-one', 'unawaited-promise', 'hardcoded-secret', 'sql-injection', 'empty-catch'];

/** The longest list of lowercase words separated by commas / "or" / "and" (`min`+ items). */
export function listedWords(query: string, min = 3): string[] {
  const re = new RegExp(`\\b[a-z][a-z-]*(?:(?:\\s*,\\s*(?:or\\s+|and\\s+)?|\\s+or\\s+|\\s+and\\s+)[a-z][a-z-]*){${min - 1},}\\b`, 'g');
  let best: string[] = [];
  for (const m of query.matchAll(re)) {
    const items = m[0].split(/\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+/).map((s) => s.trim()).filter(Boolean);
    if (items.length > best.length) best = items;
  }
  return best;
}

function qaIntent(query: string): Intent | undefined {
  const entity = /\b([A-Z][a-z]+(?: [A-Z][a-z]+)+)\b/.exec(query)?.[1];
  if (!entity) return undefined;
  const year = /\bfounded\b|\bestablished\b|\bwhat year\b|\bwhen\b/i.test(query);
  const hq = /headquarter|\bwhich city\b|\bwhere\b/i.test(query);
  const viaBuyer = /\bacquir|\bbought\b|\bbuyer\b/i.test(query);
  if (viaBuyer && year) return { family: 'multi-doc-qa', kind: 'acquirer-founded', entity };
  if (viaBuyer && hq) return { family: 'multi-doc-qa', kind: 'acquirer-hq', entity };
  if (viaBuyer) return { family: 'multi-doc-qa', kind: 'acquirer', entity };
  if (year) return { family: 'multi-doc-qa', kind: 'founded', entity };
  if (hq) return { family: 'multi-doc-qa', kind: 'hq', entity };
  return undefined;
}

export function readIntent(query: string): Intent {
  if (/\bdefects?\b|\bbugs?\b|\bcode review\b|\breview (this|these|the) (code|codebase|files)\b/i.test(query)) {
    const listed = listedWords(query, 2).filter((w) => w.includes('-'));
    return { family: 'code-review', kinds: listed.length >= 2 ? listed : DEFAULT_KINDS };
  }
  if (/\bsummar|\bexecutive summary\b/i.test(query)) return { family: 'summary' };
  if (/\bpairs?\b/i.test(query) && /\bsame\b|\bshare\b/i.test(query)) {
    const fields: PairField[] = [];
    if (/\bcity\b|\bcities\b/i.test(query)) fields.push('city');
    if (/\bhobby\b|\bhobbies\b/i.test(query)) fields.push('hobby');
    if (/\b(birth )?year\b|\bborn\b/i.test(query)) fields.push('year');
    return { family: 'pairwise', fields: fields.length > 0 ? fields : ['city'] };
  }
  if (/\b(secret|access) codes?\b|\bpass ?codes?\b/i.test(query)) {
    const projects = [...query.matchAll(/\bproject ([A-Z][a-zA-Z]+)/g)].map((m) => m[1]);
    if (projects.length > 0) return { family: 'needle', projects: [...new Set(projects)] };
  }
  const qa = /\b(acquired|bought|founded|established|headquarter(s|ed)?)\b/i.test(query) ? qaIntent(query) : undefined;
  if (qa) return qa;
  if (/\bhow many\b|\bcount\b|\bmost (frequent|common)\b|\bper (label|category)\b/i.test(query)) {
    const labels = listedWords(query);
    if (labels.length >= 2) {
      const mode = /\bmost (frequent|common)\b|\bmost often\b/i.test(query) ? 'top' : 'counts';
      return { family: 'classify-count', labels, mode };
    }
  }
  return { family: 'generic' };
}
