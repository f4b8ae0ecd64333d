/**
 * The leaf model's "understanding": recognizes the kind of request from its wording and applies
 * the matching rule to the visible text. Order matters: the more specific kinds come first.
 */
import { answerClassify, isClassifyRequest } from './classify.js';
import { answerGeneric } from './generic.js';
import { answerNeedle, isNeedleRequest } from './needle.js';
import { answerExtract, answerPairs, isExtractRequest, isPairsRequest } from './people.js';
import { answerQa, isQaRequest } from './qa.js';
import { answerReview, isReviewRequest } from './review.js';
import { answerSummary, isSummaryRequest } from './summarize.js';

export type LeafRequestKind = 'review' | 'summary' | 'pairs' | 'extract' | 'needle' | 'qa' | 'classify' | 'generic';

const KINDS: ReadonlyArray<readonly [LeafRequestKind, (q: string) => boolean, (q: string, t: string) => string]> = [
  ['review', isReviewRequest, answerReview],
  ['summary', isSummaryRequest, answerSummary],
  ['pairs', isPairsRequest, answerPairs],
  ['extract', isExtractRequest, answerExtract],
  ['needle', isNeedleRequest, answerNeedle],
  ['qa', isQaRequest, answerQa],
  ['classify', isClassifyRequest, answerClassify],
];

export function requestKind(query: string): LeafRequestKind {
  return KINDS.find(([, test]) => test(query))?.[0] ?? 'generic';
}

export function answerRequest(query: string, text: string): { kind: LeafRequestKind; answer: string } {
  const found = KINDS.find(([, test]) => test(query));
  if (!found) return { kind: 'generic', answer: answerGeneric(query, text) };
  return { kind: found[0], answer: found[2](query, text) };
}
