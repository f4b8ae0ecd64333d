/**
 * Prompts the structural alignment could not pair: a member that asks its question through
 * `llmBatch(xs.map(c => ({ query: P, context: c })))` where the template writes
 * `Promise.all(xs.map(c => llm(P, c)))` (or a loop of llm calls) has its prompt where the template
 * has other structure. Such prompts are paired by role instead: the template's unpaired prompt
 * sites and the member's unpaired prompt sites, in source order, when there are as many of each and
 * their kinds agree. Replay decides whether the member is then reproduced.
 */
import { collectFunctions } from '../front/scope.js';
import type { NNode } from '../front/tree.js';
import type { Alignment } from './align.js';
import { literalSites, sameLiteralKind, type LiteralSite } from './literals.js';
import { siteRole, type RoleInfo } from './roles.js';

export function pairPrompts(templateSites: readonly LiteralSite[], templateRoles: ReadonlyMap<string, RoleInfo>, member: NNode, alignment: Alignment): void {
  const open = templateSites.filter((s) => templateRoles.get(s.key)?.role === 'prompt' && !alignment.values.has(s.key));
  if (open.length === 0) return;
  const fns = collectFunctions([member]);
  const candidates = literalSites(member).filter((s) => !alignment.usedMemberSites.has(s.key) && siteRole(member, s, fns).role === 'prompt');
  if (candidates.length !== open.length) return;
  if (!open.every((t, i) => sameLiteralKind(t.literal, candidates[i].literal))) return;
  open.forEach((t, i) => {
    alignment.values.set(t.key, candidates[i].literal);
    alignment.usedMemberSites.add(candidates[i].key);
  });
}
