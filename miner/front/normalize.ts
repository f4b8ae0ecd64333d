/**
 * Normalization: canonical forms (see canonicalize.ts), positional names, abstracted literals,
 * no types, comments or layout; the fingerprint is the sha256 of the normalized text.
 */
import { sha256 } from '../../src/contracts/hash.js';
import { canonicalize, canonicalizeLight } from './canonicalize.js';
import { guardCode } from './guard.js';
import { LowerError, lowerSourceFile, parseBlock } from './lower.js';
import { printStatements } from './print.js';
import { renamePositional } from './rename.js';
import type { NNode } from './tree.js';
import type { NormalizedProgram } from './types.js';

export class UnparseableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnparseableError';
  }
}

export interface NormalizedTree extends NormalizedProgram {
  /** The canonical, renamed program (kind 'prog'); literal values are still present. */
  tree: NNode;
}

export { sha256 };

export interface NormalizeOptions {
  /** Only the expression-level canonical forms (no loop rewriting, inlining or reordering). */
  light?: boolean;
  /** The statements already went through the expression rules (canonicalizeExpressions). */
  expressionsDone?: boolean;
}

/** Normalizes lowered statements (consumes them: the tree is rewritten in place). */
export function normalizeStatements(stmts: NNode[], options: NormalizeOptions = {}): NormalizedTree {
  const tree = options.light ? canonicalizeLight(stmts, options.expressionsDone) : canonicalize(stmts, options.expressionsDone);
  renamePositional(tree);
  const normalized = printStatements(tree.c, { abstract: true });
  return { tree, normalized, fingerprint: sha256(normalized) };
}

/** Parses and lowers one piece of code; throws UnparseableError with the reason. */
export function lowerCode(code: string): NNode[] {
  const g = guardCode(code);
  if (!g.ok) throw new UnparseableError(g.reason);
  const parsed = parseBlock(code);
  if (!parsed.ok) throw new UnparseableError(parsed.reason);
  try {
    return lowerSourceFile(parsed.sf);
  } catch (e) {
    if (e instanceof LowerError) throw new UnparseableError(e.message);
    if (e instanceof RangeError) throw new UnparseableError('nesting too deep: the parser ran out of stack');
    throw e;
  }
}

/**
 * Normalizes one program given as code (no slicing: see analyzeProgram for the sliced form).
 * Throws UnparseableError when the code does not parse or is too large or too deeply nested.
 */
export function normalizeProgram(code: string): NormalizedProgram {
  let stmts: NNode[];
  try {
    stmts = lowerCode(code);
  } catch (e) {
    if (e instanceof RangeError) throw new UnparseableError('nesting too deep: the parser ran out of stack');
    throw e;
  }
  const { normalized, fingerprint } = normalizeStatements(stmts);
  return { normalized, fingerprint };
}
