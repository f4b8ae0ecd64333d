/**
 * Anti-unification of a member's program against the template (the medoid's), for parameter
 * extraction: the least general generalization keeps what both share and turns what differs into
 * holes. Here only literal holes can become parameters; for each literal site of the template we
 * record the member's literal at the aligned position. Local names never matter (two programs that
 * call their chunks `parts` and `blocks` align); globals and the sandbox API do. Children lists of
 * different lengths are aligned by matched size (as in miner/antiunify.ts), so one extra statement
 * costs itself rather than derailing the rest. Whatever else differs is a structural difference:
 * counted, never parameterized (such a member is only reproduced if the difference does not matter,
 * which replay finds out).
 */
import { alignSequences, matchedSize } from '../cluster/antiunify.js';
import { nodeLabel } from '../represent/embed.js';
import { size, type NNode } from '../front/tree.js';
import { literalOf, pathKey, sameLiteralKind, type Literal } from './literals.js';

export interface Alignment {
  /** Template site (path key) → the member's literal there. */
  values: Map<string, Literal>;
  /** Member sites (path keys) matched to a template site. */
  usedMemberSites: Set<string>;
  /** Nodes of the template matched in the member (a literal atom counts its size). */
  matched: number;
  templateSize: number;
  memberSize: number;
  /** Nodes of either tree left unmatched: 0 when the member is an instance of the template. */
  structuralDiff: number;
}

function alignChildren(xs: NNode[], ys: NNode[]): [number, number][] {
  if (xs.length === ys.length) return xs.map((_, i) => [i, i]);
  return alignSequences(xs, ys, pairScore);
}

/** How well two subtrees match; literal atoms of the same kind match fully whatever their value. */
function pairScore(x: NNode, y: NNode): number {
  const lx = literalOf(x);
  const ly = literalOf(y);
  if (lx || ly) return lx && ly && sameLiteralKind(lx, ly) ? size(x) : 0;
  return matchedSize(x, y);
}

/** Aligns `member` against `template`, collecting the member's literals at the template's literal sites. */
export function alignLiterals(template: NNode, member: NNode): Alignment {
  const values = new Map<string, Literal>();
  const usedMemberSites = new Set<string>();
  let matched = 0;
  let matchedInMember = 0;
  const go = (x: NNode, y: NNode, path: number[], memberPath: number[]): void => {
    const lx = literalOf(x);
    const ly = literalOf(y);
    if (lx || ly) {
      if (lx && ly && sameLiteralKind(lx, ly)) {
        values.set(pathKey(path), ly);
        usedMemberSites.add(pathKey(memberPath));
        matched += size(x);
        matchedInMember += size(y);
      }
      return;
    }
    if (nodeLabel(x) !== nodeLabel(y)) return;
    matched++;
    matchedInMember++;
    for (const [i, j] of alignChildren(x.c, y.c)) go(x.c[i], y.c[j], [...path, i], [...memberPath, j]);
  };
  go(template, member, [], []);
  const templateSize = size(template);
  const memberSize = size(member);
  return { values, usedMemberSites, matched, templateSize, memberSize, structuralDiff: templateSize - matched + (memberSize - matchedInMember) };
}
