/**
 * Candidates as generalize/verify would hand them over, built from a real function: the fixtures are
 * recorded by running the function's logic against scripted leaf answers, so the generated replay
 * tests must pass on them.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { ReplayFixture } from '../../../src/library/format.js';
import type { PromotionCandidate } from '../../../miner/promote/index.js';

export const key = (query: string, context: string | null): string => createHash('sha256').update(JSON.stringify([query, context])).digest('hex');

const question = (topic: string) => `Does this line mention ${topic}? Answer yes or no.`;

/** The leaf model: "yes" when the line contains the topic. */
const leaf = (line: string, topic: string) => (line.toLowerCase().includes(topic) ? 'yes' : 'no');

export const RUNS = {
  a: '11111111-1111-4111-8111-111111111111',
  b: '22222222-2222-4222-8222-222222222222',
  c: '33333333-3333-4333-8333-333333333333',
  d: '44444444-4444-4444-8444-444444444444',
};

const CONTEXTS: Record<string, string> = {
  [RUNS.a]: 'I want a refund\nwhere is my parcel\nrefund please, now\n',
  [RUNS.b]: 'great service\nthe refund never came\n\nthanks\n',
  [RUNS.c]: 'refund\nrefund\nok\n',
  [RUNS.d]: 'no issues\nall good\n',
};

export type Variant = 'v1' | 'v1-body' | 'v2-signature';

const SOURCES: Record<Variant, (name: string) => string> = {
  v1: (name) => `/** Counts the lines of the context that mention the topic, asking a model about each line. */
export async function ${name}(context: string, topic: string): Promise<string> {
  const lines = context.split('\\n').filter((line) => line.trim().length > 0);
  const votes = await llmBatch(lines.map((line) => ({ query: \`Does this line mention \${topic}? Answer yes or no.\`, context: line })));
  return String(votes.filter((v) => v.trim().toLowerCase() === 'yes').length);
}
`,
  'v1-body': (name) => `/** Counts the lines of the context that mention the topic, asking a model about each line. */
export async function ${name}(context: string, topic: string): Promise<string> {
  const lines = context.split('\\n').map((line) => line.trim()).filter(Boolean);
  const votes = await llmBatch(lines.map((line) => ({ query: \`Does this line mention \${topic}? Answer yes or no.\`, context: line })));
  let count = 0;
  for (const v of votes) if (/^yes/i.test(v.trim())) count++;
  return String(count);
}
`,
  'v2-signature': (name) => `/** Counts the lines of the context that mention the topic; lines shorter than minLength are skipped. */
export async function ${name}(context: string, topic: string, minLength: number): Promise<string> {
  const lines = context.split('\\n').filter((line) => line.trim().length >= minLength);
  const votes = await llmBatch(lines.map((line) => ({ query: \`Does this line mention \${topic}? Answer yes or no.\`, context: line })));
  return String(votes.filter((v) => v.trim().toLowerCase() === 'yes').length);
}
`,
};

const SIGNATURES: Record<Variant, string> = {
  v1: '(context: string, topic: string) => Promise<string>',
  'v1-body': '(context: string, topic: string) => Promise<string>',
  'v2-signature': '(context: string, topic: string, minLength: number) => Promise<string>',
};

/** What the member run did, computed the way the variant's function does it. */
function record(runId: string, variant: Variant): ReplayFixture {
  const context = CONTEXTS[runId];
  const topic = 'refund';
  const minLength = 4;
  const lines =
    variant === 'v2-signature'
      ? context.split('\n').filter((l) => l.trim().length >= minLength)
      : variant === 'v1-body'
        ? context.split('\n').map((l) => l.trim()).filter(Boolean)
        : context.split('\n').filter((l) => l.trim().length > 0);
  const responses: Record<string, string> = {};
  const calls: string[] = [];
  let yes = 0;
  for (const line of lines) {
    const k = key(question(topic), line);
    responses[k] = leaf(line, topic);
    calls.push(k);
    if (responses[k] === 'yes') yes++;
  }
  return { runId, args: variant === 'v2-signature' ? [context, topic, minLength] : [context, topic], responses, calls, answer: String(yes) };
}

/** Member programs as logged: the first one shares its opening line with the function's body. */
const memberCode = (runId: string, i: number) => `${i === 0 ? "const lines = context.split('\\n').filter((line) => line.trim().length > 0);" : 'const lines = context.split("\\n").filter(Boolean);'}
// run ${runId.slice(0, 8)}
const votes = await llmBatch(lines.map(l => ({ query: "Does this line mention refund? Answer yes or no.", context: l })));
const n = votes.filter(v => v === "yes").length;
FINAL(String(n))`;

export interface CandidateOptions {
  name?: string;
  variant?: Variant;
  runs?: string[];
  clusterId?: string;
  membersHash?: string;
  /** Mark this run as not reproduced by replay. */
  notReproduced?: string;
}

export function makeCandidate(o: CandidateOptions = {}): PromotionCandidate {
  const name = o.name ?? 'countMentions';
  const variant = o.variant ?? 'v1';
  const runs = o.runs ?? [RUNS.a, RUNS.b, RUNS.c];
  const membersHash = o.membersHash ?? createHash('sha256').update([...runs].sort().join('\n')).digest('hex');
  const params = [
    { name: 'context', type: 'string' },
    { name: 'topic', type: 'string', doc: 'what the lines should mention' },
    ...(variant === 'v2-signature' ? [{ name: 'minLength', type: 'number' }] : []),
  ];
  return {
    clusterId: o.clusterId ?? 'c7',
    membersHash,
    name,
    source: SOURCES[variant](name),
    signature: SIGNATURES[variant],
    params,
    doc: 'Counts the lines of the context that mention the topic, asking a model about each line.',
    skeleton: 'split(lines) |> filter |> map(llm) |> count |> FINAL',
    support: runs.length,
    successRate: 0.9,
    gain: 412.5,
    coverage: o.notReproduced ? (runs.length - 1) / runs.length : 1,
    sourceRunIds: runs,
    fixtures: runs.map((r) => record(r, variant)),
    members: runs.map((r, i) => ({ runId: r, code: memberCode(r, i) })),
    replay: runs.map((r) => (r === o.notReproduced ? { runId: r, reproduced: false, reason: 'answer differs: logged "3", replayed "2"' } : { runId: r, reproduced: true })),
    expectedSavings: { llmCallsPerRun: 0, rootOutputTokensPerRun: 180, note: 'one call instead of a 5-line program' },
  };
}

/** git in a test, with an identity (machines may have none). */
export function sh(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, '-c', 'user.name=reviewer', '-c', 'user.email=reviewer@localhost', ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}
