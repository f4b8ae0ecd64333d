/**
 * Prompts the structural alignment could not pair: a member that asks its question through
 * `llmBatch(xs.map(c => ({ query: P, context: c })))` where the template writes
 * `Promise.all(xs.map(c => llm(P, c)))` (or a loop of llm calls) has its prompt where the template
 * has other structure. Such prompts are paired by role instead: the template's unpaired prompt
 * sites and the member's unpaired prompt sites, in source order, when there are as many of each and
 * their kinds agree. The same holds for label lists, patterns, separators and other text (a heading
 * the member builds its answer with in another statement). Replay decides whether the member is
 * then reproduced.
 */
import { collectFunctions } from '../front/scope.js';
import type { NNode } from '../front/tree.js';
import type { Alignment } from './align.js';
import { literalSites, sameLiteralKind, type LiteralSite } from './literals.js';
import { siteRole, type RoleInfo, type SiteRole } from './roles.js';

/** Roles paired this way (sizes are not: a number in another place is rarely the same setting). */
const PAIRED_ROLES: readonly SiteRole[] = ['prompt'];

export function pairPrompts(templateSites: readonly LiteralSite[], templateRoles: ReadonlyMap<string, RoleInfo>, member: NNode, alignment: Alignment): void {
  const fns = collectFunctions([member]);
  let memberSites: { site: LiteralSite; role: SiteRole }[] | undefined;
  for (const role of PAIRED_ROLES) {
    const open = templateSites.filter((s) => templateRoles.get(s.key)?.role === role && !alignment.values.has(s.key));
    if (open.length === 0) continue;
    memberSites ??= literalSites(member).map((site) => ({ site, role: siteRole(member, site, fns).role }));
    const candidates = memberSites.filter((m) => m.role === role && !alignment.usedMemberSites.has(m.site.key)).map((m) => m.site);
    if (candidates.length !== open.length) continue;
    if (!open.every((t, i) => sameLiteralKind(t.literal, candidates[i].literal))) continue;
    open.forEach((t, i) => {
      alignment.values.set(t.key, candidates[i].literal);
      alignment.usedMemberSites.add(candidates[i].key);
    });
  }
}
