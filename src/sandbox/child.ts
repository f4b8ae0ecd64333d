/**
 * A sandbox child process: hosts one isolated-vm isolate at a time. A fatal V8 error (out of
 * memory) can abort a whole process, which is why isolates live here and not in the parent; the
 * parent keeps the database and the model clients and answers host calls over IPC.
 *
 * Must run with --no-node-snapshot (isolated-vm requirement).
 */
import ivm from 'isolated-vm';
import { OutputBuffer } from './output.js';
import { PRELUDE } from './prelude.js';
import type { CallMessage, ExecMessage, ExecResultMessage, FromChild, HostFunction, InitMessage, ToChild } from './protocol.js';

if (!process.send) {
  console.error('accrete sandbox child: must be started by the runtime (child_process.fork).');
  process.exit(2);
}

function send(msg: FromChild): void {
  process.send!(msg);
}

interface Session {
  isolate: ivm.Isolate;
  context: ivm.Context;
  take: ivm.Reference<() => string>;
  /** What the current step printed, kept here so that it survives the isolate. */
  output: OutputBuffer;
  cpuBudgetNs: bigint;
  dead?: ExecResultMessage['fatal'];
}

let session: Session | undefined;
let nextCallId = 1;
const pendingCalls = new Map<number, (reply: { ok: boolean; value?: unknown; error?: string }) => void>();

function hostCall(fn: HostFunction, payload: string): Promise<string> {
  const id = nextCallId++;
  return new Promise<string>((resolve) => {
    pendingCalls.set(id, (reply) => resolve(JSON.stringify(reply)));
    const msg: CallMessage = { t: 'call', id, fn, payload };
    send(msg);
  });
}

function disposeSession(): void {
  if (!session) return;
  try {
    session.take.release();
    if (!session.isolate.isDisposed) session.isolate.dispose();
  } catch {
    /* already gone */
  }
  session = undefined;
  // Host calls still waiting get an error reply locally; the parent aborts the model calls.
  for (const [id, resolve] of pendingCalls) {
    pendingCalls.delete(id);
    resolve({ ok: false, error: 'sandbox disposed' });
  }
}

async function init(msg: InitMessage): Promise<void> {
  disposeSession();
  const isolate = new ivm.Isolate({ memoryLimit: msg.memoryMb });
  const output = new OutputBuffer(msg.maxOutputChars);
  try {
    const context = await isolate.createContext();
    const global = context.global;
    await global.set('globalThis', global.derefInto());
    await global.set('__accrete_host', new ivm.Reference(hostCall));
    await global.set('__accrete_out', new ivm.Reference((piece: unknown, length: unknown) => {
      if (typeof piece === 'string') output.append(piece, typeof length === 'number' && length > piece.length ? length : piece.length);
    }));
    await global.set(
      '__accrete_cfg',
      JSON.stringify({ maxOutputChars: msg.maxOutputChars, maxAnswerChars: msg.maxAnswerChars, toolNames: msg.toolNames }),
    );
    await global.set('__accrete_library', msg.librarySource);
    await context.eval(PRELUDE, { timeout: 5_000 });
    const take = (await global.get('__accrete_take', { reference: true })) as ivm.Reference<() => string>;
    await context.eval('delete globalThis.__accrete_take');
    await global.set('context', new ivm.ExternalCopy(msg.context).copyInto({ release: true }));
    if (msg.contextType === 'json') await context.eval('globalThis.context = JSON.parse(globalThis.context)', { timeout: 60_000 });
    session = { isolate, context, take, output, cpuBudgetNs: BigInt(msg.cpuBudgetMs) * 1_000_000n };
    send({ t: 'inited', ok: true });
  } catch (err) {
    if (!isolate.isDisposed) isolate.dispose();
    send({ t: 'inited', ok: false, error: `could not start the sandbox: ${(err as Error).message}` });
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const frames = (err.stack ?? '')
      .split('\n')
      .filter((l) => /step\.js:\d+/.test(l))
      .map((l) => l.trim().replace(/\(?step\.js:(\d+):(\d+)\)?/, 'line $1'))
      .slice(0, 3);
    const msg = `${err.name}: ${err.message}`;
    return frames.length ? `${msg}\n  ${frames.join('\n  ')}` : msg;
  }
  return String(err);
}

/** Waits until `output` holds the `sent` pieces the isolate printed (a few event-loop turns when that count is unknown). */
async function delivered(output: OutputBuffer, sent: number | undefined): Promise<void> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  if (sent === undefined) {
    for (let i = 0; i < 3; i++) await turn();
    return;
  }
  // bounded: a piece that never comes (it cannot, but) must not hang the step
  for (let i = 0; i < 10_000 && output.pieces < sent; i++) await turn();
}

async function exec(msg: ExecMessage): Promise<void> {
  const s = session;
  const result: ExecResultMessage = { t: 'result', id: msg.id, output: '', outputChars: 0, cpuMs: 0, heapBytes: 0 };
  if (!s || s.isolate.isDisposed) {
    send({ ...result, error: 'The sandbox is gone (disposed after an earlier error).', fatal: 'disposed' });
    return;
  }
  // Watchdog: the eval timeout does not cover code after an await, nor the CPU budget; this does.
  let fatal: ExecResultMessage['fatal'];
  const started = Date.now();
  const watchdog = setInterval(() => {
    if (s.isolate.isDisposed) return;
    // The eval timeout stops synchronous code itself (and keeps the isolate); give it precedence.
    if (Date.now() - started > msg.timeoutMs + Math.max(250, msg.timeoutMs / 10)) fatal = 'step_timeout';
    else if (s.isolate.cpuTime > s.cpuBudgetNs) fatal = 'cpu_budget';
    if (fatal) s.isolate.dispose();
  }, Math.max(10, Math.min(100, Math.floor(msg.timeoutMs / 10))));
  try {
    const script = await s.isolate.compileScript(msg.script, { filename: 'step.js' });
    await script.run(s.context, { timeout: msg.timeoutMs, promise: true });
  } catch (err) {
    const text = describeError(err);
    if (fatal === 'step_timeout') {
      result.error = `Step timed out after ${msg.timeoutMs} ms (code still running after an await cannot be interrupted in place); the sandbox was reset and top-level variables are gone.`;
    } else if (fatal === 'cpu_budget') {
      result.error = `The run's CPU time budget (${Number(s.cpuBudgetNs / 1_000_000n)} ms) is used up; the sandbox was stopped.`;
    } else if (/memory limit/i.test(text) || (s.isolate.isDisposed && !fatal)) {
      fatal = 'memory';
      result.error = `The sandbox ran out of memory (the --memory-mb limit) and was reset; top-level variables are gone. Process the input in smaller pieces.`;
    } else if (/Script execution timed out/.test(text)) {
      result.error = `Step timed out after ${msg.timeoutMs} ms: the code ran too long (an endless loop?). Variables from earlier steps are kept.`;
    } else {
      result.error = text;
    }
  } finally {
    clearInterval(watchdog);
  }
  // What the step printed, even when the isolate is gone (stopped after an await, out of memory).
  // Prints arrive as tasks of this thread: wait for as many as the isolate sent (or, when it is gone, let those queued run).
  let printed: number | undefined;
  let taken: { final?: string; printed?: number } | undefined;
  let takeError: unknown;
  if (!s.isolate.isDisposed) {
    try {
      taken = JSON.parse(s.take.applySync(undefined, [], { timeout: 5_000 })) as { final?: string; printed?: number };
      printed = taken.printed;
    } catch (err) {
      takeError = err;
    }
  }
  await delivered(s.output, printed);
  Object.assign(result, s.output.take());
  if (takeError !== undefined) {
    fatal ??= 'disposed';
    result.error ??= describeError(takeError);
  } else if (taken && !s.isolate.isDisposed) {
    try {
      if (taken.final !== undefined) result.final = taken.final;
      result.cpuMs = Number(s.isolate.cpuTime / 1_000_000n);
      result.heapBytes = (await s.isolate.getHeapStatistics()).used_heap_size;
    } catch (err) {
      fatal ??= 'disposed';
      result.error ??= describeError(err);
    }
  }
  if (fatal) {
    result.fatal = fatal;
    disposeSession();
  }
  send(result);
}

process.on('message', (raw: ToChild) => {
  switch (raw.t) {
    case 'init':
      void init(raw);
      break;
    case 'exec':
      void exec(raw);
      break;
    case 'reply': {
      const resolve = pendingCalls.get(raw.id);
      if (resolve) {
        pendingCalls.delete(raw.id);
        resolve({ ok: raw.ok, value: raw.value, error: raw.error });
      }
      break;
    }
    case 'dispose':
      disposeSession();
      send({ t: 'disposed' });
      break;
  }
});

process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
