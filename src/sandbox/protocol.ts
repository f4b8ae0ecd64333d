/** Messages between the parent (runtime) and a sandbox child process. Only strings and JSON. */

export type HostFunction = 'llm' | 'llmBatch' | 'rlm' | 'rlmBatch' | 'tool' | 'lib_event';

export interface InitMessage {
  t: 'init';
  memoryMb: number;
  /** The input: a string, or JSON text when contextType is 'json'. */
  context: string;
  contextType: 'string' | 'json';
  /** Characters of print output kept per step (head and tail); the true length is still counted. */
  maxOutputChars: number;
  /** Characters FINAL/FINAL_VAR accepts: a longer answer throws inside the isolate, before it is copied out. */
  maxAnswerChars: number;
  /** CPU time the isolate may use over the whole run. */
  cpuBudgetMs: number;
  /** JavaScript that defines library functions (see src/library), or empty. */
  librarySource: string;
  /** Names of the custom tools: the prelude defines `tools.<name>` for each (the handlers stay on the host). */
  toolNames: string[];
}

export interface ExecMessage {
  t: 'exec';
  id: number;
  script: string;
  timeoutMs: number;
}

export interface ReplyMessage {
  t: 'reply';
  id: number;
  ok: boolean;
  /** The call's result: a JSON value (a string for llm and rlm, strings for the batches, any JSON for a tool). */
  value?: unknown;
  error?: string;
}

export interface DisposeMessage {
  t: 'dispose';
}

export type ToChild = InitMessage | ExecMessage | ReplyMessage | DisposeMessage;

export interface ReadyMessage {
  t: 'ready';
}

export interface InitedMessage {
  t: 'inited';
  ok: boolean;
  error?: string;
}

export interface CallMessage {
  t: 'call';
  id: number;
  fn: HostFunction;
  /** JSON of the call's arguments. */
  payload: string;
}

export interface ExecResultMessage {
  t: 'result';
  id: number;
  output: string;
  outputChars: number;
  error?: string;
  /** The FINAL value, as a string, when the step called FINAL/FINAL_VAR. */
  final?: string;
  /** Set when the isolate is gone (timeout after await, memory, CPU budget): the REPL must be recreated. */
  fatal?: 'step_timeout' | 'memory' | 'cpu_budget' | 'disposed';
  cpuMs: number;
  heapBytes: number;
}

export interface DisposedMessage {
  t: 'disposed';
}

export type FromChild = ReadyMessage | InitedMessage | CallMessage | ExecResultMessage | DisposedMessage;
