/**
 * Canonicalization driver: the expression rules over the whole tree, then every statement list
 * (inner lists first) to a local fixpoint of loop rules and inlining, re-applying the expression
 * rules to what changed; finally the canonical order of independent statements. Works in place
 * on freshly lowered trees.
 */
import { canonicalizeExpressions } from './canon-expr.js';
import { inlineInList } from './canon-inline.js';
import { rewriteLoopsOnce } from './canon-loops.js';
import { canonicalOrder } from './canon-order.js';
import { collectFunctions } from './scope.js';
import { STATEMENT_LIST_KINDS, listStart, mk, type NNode } from './tree.js';

/** Rewrites per statement list before giving up (each rewrite removes or simplifies statements). */
const MAX_REWRITES_PER_LIST = 50;

/** `expressionsDone`: the statements already went through the expression rules. */
export function canonicalize(stmts: NNode[], expressionsDone = false): NNode {
  const root = mk('prog', stmts);
  if (!expressionsDone) canonicalizeExpressions(root);
  let fns: Map<string, NNode> | undefined;
  const getFns = (): Map<string, NNode> => (fns ??= collectFunctions([root]));
  const lists = (n: NNode): void => {
    for (const ch of n.c) lists(ch);
    if (!STATEMENT_LIST_KINDS.has(n.k)) return;
    for (let guard = 0; guard < MAX_REWRITES_PER_LIST; guard++) {
      if (!rewriteLoopsOnce(n) && !inlineInList(n, getFns)) break;
      // The rewrite built new forms: canonicalize their expressions and their nested lists.
      for (let i = listStart(n); i < n.c.length; i++) {
        n.c[i] = canonicalizeExpressions(n.c[i]);
        for (const ch of n.c[i].c) lists(ch);
      }
    }
  };
  lists(root);
  canonicalOrder(root);
  return root;
}

/**
 * Light canonicalization (expression rules only): for the unsliced program, whose fingerprint is
 * informational; a fraction of the cost of {@link canonicalize}.
 */
export function canonicalizeLight(stmts: NNode[], expressionsDone = false): NNode {
  const root = mk('prog', stmts);
  if (!expressionsDone) canonicalizeExpressions(root);
  return root;
}
