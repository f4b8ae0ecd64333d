/**
 * On the runs a frontier model wrote as the root (../shared/corpora/realroot-no-library.jsonl):
 * every family with three or more runs of one structure generalizes to a function whose name has no
 * number and no misleading unit, whose doc has an input and a return sentence, and whose code has no
 * `any`. Skipped when ../shared/corpora is missing (a clone without the shared folder).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { MemberRun } from '../../../miner/generalize/members.js';
import { cluster } from './helpers.js';

const CORPUS = new URL('../../../../shared/corpora/realroot-no-library.jsonl', import.meta.url);
const present = existsSync(CORPUS);

interface ExportedRun {
  id: string;
  query: string;
  answer: string | null;
  status: string;
  programs: { stepIdx: number; blockIdx: number; code: string; status: string }[];
}

function runs(): ExportedRun[] {
  return readFileSync(CORPUS, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ExportedRun);
}

const member = (r: ExportedRun): MemberRun => ({ runId: r.id, query: r.query, answer: r.answer, source: 'import', contextSha256: null, blocks: r.programs.map((p) => ({ stepIdx: p.stepIdx, blockIdx: p.blockIdx, code: p.code, status: p.status })) });

describe.skipIf(!present)('generalizing the frontier-model runs in ../shared/corpora (skipped: ../shared/corpora is missing)', () => {
  it.each([
    ['code review', /defect|bugs in the code/i, /^review\w*Files/],
    ['summaries', /summar/i, /^summarize\w*Sections/],
  ])('%s: a descriptive name and a doc with its input and return', async (_, query, name) => {
    const family = runs().filter((r) => r.status === 'succeeded' && query.test(r.query)).map(member);
    expect(family.length).toBeGreaterThanOrEqual(3);
    const r = await generalizeMembers(cluster({ id: 'c-real', skeleton: 'split(sentences) |> map(llm) |> join |> FINAL', representativeRunId: family[0].runId }), family);
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.name).toMatch(name);
    expect(r.name).not.toMatch(/\d|Sentences/);
    expect(r.doc).toMatch(/^Input: /m);
    expect(r.doc).toMatch(/^Returns /m);
    expect(r.doc).toMatch(/^Model calls: /m);
    expect(r.source).not.toMatch(/\bany\b/);
  });
});
