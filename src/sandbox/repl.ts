/**
 * The parent side of the sandbox: a pool of warm child processes, each hosting one REPL (an
 * isolate) at a time. A REPL runs steps and answers the isolate's host calls (llm, llmBatch, rlm, rlmBatch, tools)
 * with the handlers the runtime gives it. A crashed child fails only the REPL it hosted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExecResultMessage, FromChild, HostFunction, InitMessage, ToChild } from './protocol.js';
import { compiledCounterpart } from '../util/compiled.js';
import { checkHostArgs, type ToolCallArgs } from './host-args.js';
import { StepSyntaxError, transformStep } from './transform.js';

export interface LlmCallArgs {
  query: string;
  context?: string;
}

/** What the runtime does when sandboxed code calls the API. Errors reach the code as exceptions. */
export interface HostHandlers {
  llm(args: LlmCallArgs, signal: AbortSignal): Promise<string>;
  llmBatch(args: { calls: LlmCallArgs[] }, signal: AbortSignal): Promise<string[]>;
  rlm(args: LlmCallArgs, signal: AbortSignal): Promise<string>;
  /** Parallel sub-runs (rlmBatch); absent: the code gets an error saying rlmBatch is not available here. */
  rlmBatch?(args: { calls: LlmCallArgs[] }, signal: AbortSignal): Promise<string[]>;
  /** A custom tool's call: returns its JSON result; absent: the code gets an error. */
  tool?(args: ToolCallArgs, signal: AbortSignal): Promise<unknown>;
  libEvent?(event: Record<string, unknown>): void | Promise<void>;
}

/** Characters of the answer FINAL/FINAL_VAR accepts unless told otherwise (a few MB). */
export const DEFAULT_MAX_ANSWER_CHARS = 4_000_000;

export interface ReplOptions {
  context: string;
  contextType: 'string' | 'json';
  memoryMb: number;
  maxOutputChars: number;
  /** Characters of the answer FINAL accepts (default DEFAULT_MAX_ANSWER_CHARS). */
  maxAnswerChars?: number;
  cpuBudgetMs: number;
  librarySource?: string;
  /** Names of the custom tools `tools.<name>` offers (their handlers are host handlers, never sent). */
  toolNames?: readonly string[];
}

export type FatalReason = NonNullable<ExecResultMessage['fatal']> | 'crashed';

export interface StepOutcome {
  output: string;
  outputChars: number;
  error?: string;
  final?: string;
  /** The REPL is gone; open a new one to go on (its variables are lost). */
  fatal?: FatalReason;
  /** The code never started (the REPL was already gone): running it on a fresh REPL is safe. */
  notRun?: boolean;
  cpuMs: number;
  heapBytes: number;
  durationMs: number;
}

let childEntry: { path: string; execArgv: string[] } | undefined;

/**
 * The child's module and node flags: compiled, child.js beside this file. Running from TypeScript
 * sources (tests, tsx): the build's child.js when it is current (src/util/compiled.ts), else
 * child.ts with tsx, found from here, not the cwd.
 */
function sandboxChildEntry(): { path: string; execArgv: string[] } {
  if (childEntry) return childEntry;
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return (childEntry = { path: here.replace(/repl\.js$/, 'child.js'), execArgv: ['--no-node-snapshot'] });
  const compiled = compiledCounterpart(new URL('./child.ts', import.meta.url));
  if (compiled) return (childEntry = { path: fileURLToPath(compiled), execArgv: ['--no-node-snapshot'] });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return (childEntry = { path: here.replace(/repl\.ts$/, 'child.ts'), execArgv: ['--no-node-snapshot', '--import', tsx] });
}
/** Grace the parent gives a child beyond the step timeout before killing it. */
const KILL_GRACE_MS = 5_000;

/** V8's words when a process dies of its heap (the isolate's own limit is reported by the child instead). */
const OUT_OF_MEMORY = /out of memory|heap limit|allocation failed/i;

/**
 * Why a sandbox process ended, said as what happened: killed by accrete (a step past its timeout),
 * out of memory (V8 says so on stderr), killed by a signal from outside (which one), or an exit code.
 */
export function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null; stderrTail: string; killedByParent: boolean }): string {
  const said = exit.stderrTail ? ` (${exit.stderrTail})` : '';
  if (exit.killedByParent) return `The sandbox process did not finish the step within its timeout plus ${KILL_GRACE_MS / 1000} s and was killed by accrete`;
  if (OUT_OF_MEMORY.test(exit.stderrTail)) return `The sandbox process ran out of memory${said}`;
  if (exit.signal) return `The sandbox process was killed by signal ${exit.signal} from outside accrete (another process, or the system)${said}`;
  return `The sandbox process exited unexpectedly with exit code ${exit.code}${said}`;
}

class ChildHandle {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  exited = false;
  exitReason = '';
  /** How the process ended, in words a user can act on (see describeExit). */
  exitDescription = '';
  /** The parent killed it (a step that did not end in time, a closing pool). */
  private killedByParent = false;
  private stderrTail = '';
  private listeners = new Set<(msg: FromChild) => void>();
  private exitListeners = new Set<(reason: string) => void>();

  constructor() {
    const entry = sandboxChildEntry();
    this.proc = fork(entry.path, [], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-2_000);
    });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: FromChild) => {
        if (m.t === 'ready') {
          this.listeners.delete(onMsg);
          resolve();
        }
      };
      this.listeners.add(onMsg);
      this.exitListeners.add((reason) => reject(new Error(`the sandbox process failed to start: ${reason}`)));
    });
    this.ready.catch(() => {});
    this.proc.on('message', (m: FromChild) => {
      for (const l of [...this.listeners]) l(m);
    });
    this.proc.on('exit', (code, signal) => {
      this.exited = true;
      const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      this.exitReason = `${signal ? `signal ${signal}` : `exit code ${code}`}${tail ? `: ${tail}` : ''}`;
      this.exitDescription = describeExit({ code, signal, stderrTail: tail, killedByParent: this.killedByParent });
      for (const l of [...this.exitListeners]) l(this.exitReason);
    });
    this.proc.on('error', () => {});
  }

  send(msg: ToChild): void {
    if (!this.exited && this.proc.connected) this.proc.send(msg);
  }

  on(listener: (msg: FromChild) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onExit(listener: (reason: string) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  kill(): void {
    if (this.exited) return;
    this.killedByParent = true;
    this.proc.kill('SIGKILL');
  }
}

export class SandboxPool {
  private idle: ChildHandle[] = [];
  private closed = false;
  private live = new Set<ChildHandle>();

  /** `warm`: how many ready children to keep for fast REPL starts. */
  constructor(private readonly warm = 1) {}

  /** Starts the warm children now instead of on first use. */
  prewarm(): void {
    while (this.idle.length < this.warm && !this.closed) this.idle.push(this.spawn());
  }

  private spawn(): ChildHandle {
    const child = new ChildHandle();
    this.live.add(child);
    child.onExit(() => {
      this.live.delete(child);
      this.idle = this.idle.filter((c) => c !== child);
    });
    return child;
  }

  private take(): ChildHandle {
    let child = this.idle.shift();
    while (child && child.exited) child = this.idle.shift();
    const taken = child ?? this.spawn();
    this.prewarm();
    return taken;
  }

  /** @internal returns a healthy child after its REPL was disposed. */
  giveBack(child: ChildHandle): void {
    if (this.closed || child.exited || this.idle.length >= Math.max(this.warm, 1) * 4) child.kill();
    else this.idle.push(child);
  }

  async open(options: ReplOptions, handlers: HostHandlers): Promise<Repl> {
    if (this.closed) throw new Error('the sandbox pool is closed');
    const child = this.take();
    await child.ready;
    const repl = new Repl(this, child, handlers);
    await repl.init(options);
    return repl;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.live]) c.kill();
    this.idle = [];
  }
}

export class Repl {
  private nextExecId = 1;
  private abort = new AbortController();
  private disposed = false;
  private unsub: () => void;
  private pendingExec?: { id: number; resolve: (r: ExecResultMessage) => void };
  private unsubExit: () => void;
  private inited?: { resolve: (ok: { ok: boolean; error?: string }) => void };
  private crashed?: string;

  constructor(
    private readonly pool: SandboxPool,
    private readonly child: ChildHandle,
    private readonly handlers: HostHandlers,
  ) {
    this.unsub = child.on((m) => this.onMessage(m));
    this.unsubExit = child.onExit((reason) => {
      this.crashed = reason;
      this.abort.abort(new Error('the sandbox process exited'));
      this.inited?.resolve({ ok: false, error: `the sandbox process exited (${reason})` });
      this.pendingExec?.resolve({
        t: 'result',
        id: this.pendingExec.id,
        output: '',
        outputChars: 0,
        cpuMs: 0,
        heapBytes: 0,
        fatal: 'disposed',
        error: `${this.child.exitDescription || `The sandbox process exited (${reason})`}; the sandbox was reset and top-level variables are gone.`,
      });
    });
  }

  get alive(): boolean {
    return !this.disposed && !this.crashed;
  }

  /** Aborted when the REPL dies or is disposed: in-flight model calls listen to it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async init(options: ReplOptions): Promise<void> {
    const msg: InitMessage = {
      t: 'init',
      memoryMb: options.memoryMb,
      context: options.context,
      contextType: options.contextType,
      maxOutputChars: options.maxOutputChars,
      maxAnswerChars: options.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
      cpuBudgetMs: options.cpuBudgetMs,
      librarySource: options.librarySource ?? '',
      toolNames: [...(options.toolNames ?? [])],
    };
    const res = await new Promise<{ ok: boolean; error?: string }>((resolve) => {
      this.inited = { resolve };
      this.child.send(msg);
    });
    this.inited = undefined;
    if (!res.ok) {
      await this.dispose();
      throw new Error(res.error ?? 'could not start the sandbox');
    }
  }

  private onMessage(m: FromChild): void {
    if (m.t === 'inited') this.inited?.resolve({ ok: m.ok, error: m.error });
    else if (m.t === 'result' && this.pendingExec?.id === m.id) this.pendingExec.resolve(m);
    else if (m.t === 'call') void this.answer(m.id, m.fn, m.payload);
  }

  private async answer(id: number, fn: HostFunction, payload: string): Promise<void> {
    const signal = this.abort.signal;
    try {
      // Checked here, on the host: what the prelude checked in the isolate can be subverted.
      const args: unknown = JSON.parse(payload);
      let value: unknown;
      if (fn === 'llm') value = await this.handlers.llm(checkHostArgs('llm', args), signal);
      else if (fn === 'rlm') value = await this.handlers.rlm(checkHostArgs('rlm', args), signal);
      else if (fn === 'llmBatch') value = await this.handlers.llmBatch(checkHostArgs('llmBatch', args), signal);
      else if (fn === 'rlmBatch') {
        if (!this.handlers.rlmBatch) throw new Error('rlmBatch is not available in this sandbox');
        value = await this.handlers.rlmBatch(checkHostArgs('rlmBatch', args), signal);
      } else if (fn === 'tool') {
        if (!this.handlers.tool) throw new Error('no custom tools are registered');
        value = await this.handlers.tool(checkHostArgs('tool', args), signal);
      }
      else if (fn === 'lib_event') value = (await this.handlers.libEvent?.(checkHostArgs('lib_event', args))) ?? null;
      else throw new Error(`unknown host function ${String(fn)}`);
      this.child.send({ t: 'reply', id, ok: true, value });
    } catch (err) {
      this.child.send({ t: 'reply', id, ok: false, error: (err as Error).message ?? String(err) });
    }
  }

  /** Runs one code block. Never throws for problems in the code: they come back in `error`. */
  async exec(code: string, timeoutMs: number): Promise<StepOutcome> {
    const started = performance.now();
    const done = (r: Omit<StepOutcome, 'durationMs'>): StepOutcome => ({ ...r, durationMs: Math.round(performance.now() - started) });
    if (!this.alive) {
      return done({ output: '', outputChars: 0, cpuMs: 0, heapBytes: 0, fatal: 'disposed', notRun: true, error: 'The sandbox is gone; open a new one.' });
    }
    let script: string;
    try {
      script = (await transformStep(code)).script;
    } catch (err) {
      if (err instanceof StepSyntaxError) return done({ output: '', outputChars: 0, cpuMs: 0, heapBytes: 0, error: `SyntaxError: ${err.message}` });
      throw err;
    }
    const id = this.nextExecId++;
    let killTimer: NodeJS.Timeout | undefined;
    const result = await new Promise<ExecResultMessage>((resolve) => {
      this.pendingExec = { id, resolve };
      killTimer = setTimeout(() => this.child.kill(), timeoutMs + KILL_GRACE_MS);
      this.child.send({ t: 'exec', id, script, timeoutMs });
    });
    clearTimeout(killTimer);
    this.pendingExec = undefined;
    const fatal: FatalReason | undefined = this.crashed ? 'crashed' : result.fatal;
    if (fatal) {
      this.abort.abort(new Error(result.error ?? 'sandbox reset'));
      this.disposed = true;
      this.release();
    }
    return done({
      output: result.output,
      outputChars: result.outputChars,
      error: result.error,
      final: result.final,
      fatal,
      cpuMs: result.cpuMs,
      heapBytes: result.heapBytes,
    });
  }

  private released = false;
  private release(): void {
    if (this.released) return;
    this.released = true;
    this.unsub();
    this.unsubExit();
    if (this.crashed) return;
    this.child.send({ t: 'dispose' });
    this.pool.giveBack(this.child);
  }

  async dispose(): Promise<void> {
    if (!this.disposed) {
      this.disposed = true;
      this.abort.abort(new Error('the run ended'));
    }
    this.release();
  }
}
