/**
 * OpenTelemetry export against a local OTLP/HTTP receiver: a run with a sub-run and model calls
 * arrives as one trace whose spans have the right parents, times and gen_ai.* attributes, redacted;
 * stored runs are sent again afterwards (protobuf); an unreachable collector never fails a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime } from '../../src/index.js';
import { OtlpTraceSender, storedRunRecords } from '../../src/trace/otel.js';
import { memoryDb } from '../helpers/db.js';
import { js, type ScriptedServer, scriptedServer } from '../helpers/models.js';
import { type Received, receiver } from '../helpers/otlp-receiver.js';

type AnyValue = { stringValue?: string; intValue?: number | string; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: AnyValue[] } };
interface JsonSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes: { key: string; value: AnyValue }[];
  status?: { code?: number };
}

const valueOf = (v: AnyValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? v.arrayValue?.values.map(valueOf);
const attrs = (s: JsonSpan): Record<string, unknown> => Object.fromEntries(s.attributes.map((a) => [a.key, valueOf(a.value)]));
const ms = (nanos: string | number): number => Math.round(Number(BigInt(nanos) / 1_000_000n));

function spansOf(received: Received[]): { spans: JsonSpan[]; resource: Record<string, unknown> } {
  const spans: JsonSpan[] = [];
  let resource: Record<string, unknown> = {};
  for (const r of received) {
    const body = JSON.parse(r.body.toString('utf8')) as { resourceSpans: { resource: { attributes: JsonSpan['attributes'] }; scopeSpans: { spans: JsonSpan[] }[] }[] };
    for (const rs of body.resourceSpans) {
      resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, valueOf(a.value)]));
      for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    }
  }
  return { spans, resource };
}

const SECRET = 'sk-proj-Zk3pQ9vX2mB7nL4tR8wY1cF6hJ0dS5aG';

let db: Database;
let models: ScriptedServer;
let collector: Awaited<ReturnType<typeof receiver>>;
let runId: string;

beforeAll(async () => {
  [db, collector] = await Promise.all([memoryDb(), receiver()]);
  // step 1 starts a sub-run (which answers at once) and calls llm(); step 2 answers
  models = await scriptedServer(
    [js('const part = await rlm("inner question", context.slice(0, 3));\nconst word = await llm("one word for this", part);\nprint(part, word)'), js('FINAL("inner answer")'), js('FINAL("done")')],
    ['leaf'],
  );
  const runtime = await createRuntime({ db, ...models.models, spoolDir: '/tmp/accrete-test-spool', library: false, otel: { endpoint: collector.url, protocol: 'http/json', serviceName: 'accrete-test' } });
  const summary = await runtime.run({ query: `What is it? (key ${SECRET})`, context: 'abcdef' });
  await runtime.close();
  expect(summary.status).toBe('succeeded');
  runId = summary.runId;
});

afterAll(async () => {
  await Promise.all([db?.close(), models?.close(), collector?.close()]);
});

describe('OpenTelemetry export', () => {
  it('a run arrives as one trace: run → steps → programs → model calls and the sub-run, with gen_ai attributes and the recorded times', async () => {
    const { spans, resource } = spansOf(collector.received);
    expect(resource['service.name']).toBe('accrete-test');
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([runId.replace(/-/g, '')]));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: JsonSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);

    const runs = spans.filter((s) => s.name === 'invoke_agent accrete');
    expect(runs).toHaveLength(2);
    const root = runs.find((s) => attrs(s)['accrete.run.depth'] === 0)!;
    const sub = runs.find((s) => attrs(s)['accrete.run.depth'] === 1)!;
    expect(root.parentSpanId ?? '').toBe('');
    expect(attrs(root)).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'accrete.run.id': runId, 'accrete.run.status': 'succeeded', 'gen_ai.request.model': 'test-root' });

    // the recorded times: the run span starts and ends when the database says the run did
    const [stored] = await db.query<{ started_at: Date; ended_at: Date }>('select started_at, ended_at from runs where id = $1', [runId]);
    expect(ms(root.startTimeUnixNano)).toBe(new Date(stored.started_at).getTime());
    expect(ms(root.endTimeUnixNano)).toBe(new Date(stored.ended_at).getTime());

    // redaction: what is sent is what is persisted
    const everything = collector.received.map((r) => r.body.toString('utf8')).join('\n');
    expect(everything).not.toContain(SECRET);
    expect(String(attrs(root)['accrete.run.query'])).toMatch(/\[REDACTED:/);

    const steps = spans.filter((s) => /^step \d+$/.test(s.name) && parentOf(s) === root);
    expect(steps.map((s) => s.name).sort()).toEqual(['step 1', 'step 2']);
    const step1 = steps.find((s) => s.name === 'step 1')!;
    const program = spans.find((s) => s.name === 'program 1.1' && parentOf(s) === step1)!;
    expect(program).toBeDefined();
    expect(String(attrs(program)['accrete.program.code'])).toContain('await rlm("inner question"');

    // the sub-run hangs under the program that started it, with its own step and model call
    expect(parentOf(sub)).toBe(program);
    expect(spans.some((s) => s.name === 'step 1' && parentOf(s) === sub)).toBe(true);

    // model calls are GenAI chat spans: the root model's under their steps, llm() under the program
    const chats = spans.filter((s) => attrs(s)['gen_ai.operation.name'] === 'chat');
    const leaf = chats.filter((s) => attrs(s)['gen_ai.request.model'] === 'test-sub');
    expect(leaf).toHaveLength(1);
    expect(parentOf(leaf[0])).toBe(program);
    const a = attrs(leaf[0]);
    expect(a).toMatchObject({ 'gen_ai.provider.name': expect.any(String), 'gen_ai.response.model': expect.any(String), 'accrete.call.kind': 'sub' });
    expect(a['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    expect(a['gen_ai.usage.output_tokens']).toEqual(expect.any(Number));
    expect(a['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(String(a['gen_ai.output.messages'])).toContain('leaf');
    const rootChats = chats.filter((s) => attrs(s)['gen_ai.request.model'] === 'test-root');
    expect(rootChats).toHaveLength(3);
    expect(rootChats.every((s) => /^step \d+$/.test(parentOf(s)?.name ?? ''))).toBe(true);
    // every span's parent arrived too, and each child lies within its parent's time
    for (const s of spans) {
      if (!s.parentSpanId) continue;
      const p = parentOf(s)!;
      expect(p, s.name).toBeDefined();
      expect(ms(s.startTimeUnixNano) >= ms(p.startTimeUnixNano) - 1 && ms(s.endTimeUnixNano) <= ms(p.endTimeUnixNano) + 1, `${s.name} within ${p.name}`).toBe(true);
    }
  });

  it('export --otlp sends stored runs again (protobuf by default) with the same trace and span ids', async () => {
    const again = await receiver();
    try {
      const sender = new OtlpTraceSender({ endpoint: again.url });
      const count = sender.emit(await storedRunRecords(db, runId));
      await sender.flush();
      await sender.shutdown();
      const live = spansOf(collector.received).spans;
      expect(count).toBe(live.length);
      expect(sender.counts).toMatchObject({ sent: count, failed: 0 });
      expect(again.received.length).toBeGreaterThan(0);
      expect(again.received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
      const body = Buffer.concat(again.received.map((r) => r.body));
      // protobuf carries ids as raw bytes and names as UTF-8
      expect(body.includes(Buffer.from(runId.replace(/-/g, ''), 'hex'))).toBe(true);
      for (const s of live) expect(body.includes(Buffer.from(s.spanId, 'hex')), s.name).toBe(true);
      expect(body.includes(Buffer.from('invoke_agent accrete'))).toBe(true);
      expect(body.includes(Buffer.from(SECRET))).toBe(false);
    } finally {
      await again.close();
    }
  });

  it('an unreachable collector never fails a run: the failure is reported once', async () => {
    const dead = await receiver();
    await dead.close(); // nothing listens on its port any more
    const errors: string[] = [];
    const s = await scriptedServer([js('FINAL("ok")')], ['ok'], { rootRepeats: true });
    const runtime = await createRuntime({ db, ...s.models, spoolDir: '/tmp/accrete-test-spool', library: false, otel: { endpoint: dead.url, onError: (m) => errors.push(m) } });
    try {
      const first = await runtime.run({ query: 'first' });
      const second = await runtime.run({ query: 'second' });
      expect([first.status, second.status]).toEqual(['succeeded', 'succeeded']);
    } finally {
      await runtime.close();
      await s.close();
    }
    expect(errors).toHaveLength(1);
    // export --otlp to it: counted as failed, reported once, never thrown
    const sender = new OtlpTraceSender({ endpoint: dead.url, timeoutMs: 1_000, onError: (m) => errors.push(m) });
    const spans = sender.emit(await storedRunRecords(db, runId));
    await sender.flush();
    await sender.shutdown();
    expect(sender.counts).toMatchObject({ sent: 0, failed: spans });
    expect(errors).toHaveLength(2);
  });
});
