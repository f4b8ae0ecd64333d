/**
 * The sandbox API, declared once: every name a root model's code may use, its TypeScript
 * declaration and the lines the system prompt gives it. Everything else is derived from this
 * table: the globals the prelude defines (src/sandbox/prelude.ts), the API list of the system
 * prompt (src/runtime/prompts.ts), the primitives and reserved names of the library compiler
 * (src/library/compile.ts), the declarations the miner type-checks functions against
 * (miner/verify/typecheck.ts) and the library repository's library.d.ts (miner/promote/scaffold.ts).
 *
 * The declarations say what the prelude and the host accept: `llmBatch` takes `{query, context}`
 * items or plain query strings; a context that is not a string is sent as JSON.
 */

export interface SandboxName {
  name: string;
  /** Another name for the same function (`recursive_llm` is the seed's name for `llm`). */
  aliasOf?: string;
  /** Who puts it on the sandbox's global object: the prelude, or the child from the run's input. */
  definedBy: 'prelude' | 'input';
  /** Library functions use it as a free identifier: the library compiler passes it in. */
  primitive: boolean;
  /** Calling it makes a model call (or a sub-run). */
  callsModel: boolean;
  /** What it does, in a sentence (the JSDoc of its declaration). */
  doc: string;
  /** An ambient TypeScript declaration. */
  declaration: string;
  /** Its lines in the system prompt's API list (absent: described with another name, or elsewhere). */
  prompt?: string;
}

export const SANDBOX_API: readonly SandboxName[] = [
  {
    name: 'context',
    definedBy: 'input',
    primitive: false,
    callsModel: false,
    doc: 'The input: a string, or a parsed JSON value.',
    declaration: 'declare const context: unknown;',
    prompt: '- context: the input (a string, or a parsed JSON value). Never try to print all of it.',
  },
  {
    name: 'llm',
    definedBy: 'prelude',
    primitive: true,
    callsModel: true,
    doc: 'One fresh, bounded model call. A non-string context is sent as JSON.',
    declaration: 'declare function llm(query: string, context?: unknown): Promise<string>;',
    prompt: `- await llm(query, ctx?) -> string: one fresh model call; it sees only query and ctx (keep ctx
  under ~100k characters). recursive_llm is an alias.`,
  },
  {
    name: 'recursive_llm',
    aliasOf: 'llm',
    definedBy: 'prelude',
    primitive: false,
    callsModel: true,
    doc: 'The same as llm (the name the RLM seed uses).',
    declaration: 'declare function recursive_llm(query: string, context?: unknown): Promise<string>;',
  },
  {
    name: 'llmBatch',
    definedBy: 'prelude',
    primitive: true,
    callsModel: true,
    doc: 'Parallel fresh calls (bounded concurrency); answers in the order of the items.',
    declaration: 'declare function llmBatch(items: ({ query: string; context?: unknown } | string)[]): Promise<string[]>;',
    prompt: '- await llmBatch([{query, context}, ...]) -> string[]: many llm calls in parallel, in order.',
  },
  {
    name: 'rlm',
    definedBy: 'prelude',
    primitive: true,
    callsModel: true,
    doc: 'A recursive sub-run with its own REPL (at the depth limit it degrades to llm).',
    declaration: 'declare function rlm(query: string, context?: unknown): Promise<string>;',
    prompt: `- await rlm(query, ctx) -> string: a recursive sub-run with its own REPL over ctx, for sub-problems
  that are themselves too long for one call.`,
  },
  {
    name: 'rlmBatch',
    definedBy: 'prelude',
    primitive: false,
    callsModel: true,
    doc: 'Parallel recursive sub-runs (the same concurrency and budgets as the run); answers in the order of the items.',
    declaration: 'declare function rlmBatch(items: ({ query: string; context?: unknown } | string)[]): Promise<string[]>;',
    prompt: '- await rlmBatch([{query, context}, ...]) -> string[]: many rlm sub-runs in parallel, in order.',
  },
  {
    name: 'tools',
    definedBy: 'prelude',
    primitive: false,
    callsModel: false,
    doc: 'Custom tools the host registered (read-only), listed in the system prompt: JSON arguments in, a JSON value out.',
    declaration: 'declare const tools: Readonly<Record<string, (args?: unknown) => Promise<unknown>>>;',
  },
  {
    name: 'print',
    definedBy: 'prelude',
    primitive: true,
    callsModel: false,
    doc: 'Output for the calling model (truncated head and tail).',
    declaration: 'declare function print(...values: unknown[]): void;',
    prompt: '- print(...values): show values to yourself; long output is truncated (head and tail kept).',
  },
  {
    name: 'FINAL',
    definedBy: 'prelude',
    primitive: false,
    callsModel: false,
    doc: 'Ends the run with this answer (a non-string value is sent as JSON).',
    declaration: 'declare function FINAL(value: unknown): string;',
    prompt: '- FINAL(value): end with this answer. FINAL_VAR("name"): end with the value of a top-level variable.',
  },
  {
    name: 'FINAL_VAR',
    definedBy: 'prelude',
    primitive: false,
    callsModel: false,
    doc: 'Ends the run with the value of a top-level variable.',
    declaration: 'declare function FINAL_VAR(name: string): string;',
  },
  {
    name: 'lib',
    definedBy: 'prelude',
    primitive: false,
    callsModel: false,
    doc: 'Merged library functions (read-only), listed in the system prompt.',
    declaration: 'declare const lib: Readonly<Record<string, (...args: unknown[]) => Promise<unknown>>>;',
  },
];

const names = (pick: (n: SandboxName) => boolean): readonly string[] => Object.freeze(SANDBOX_API.filter(pick).map((n) => n.name));

/** Every name of the API. */
export const SANDBOX_NAMES: readonly string[] = names(() => true);

/** The names the prelude defines on the global object. */
export const PRELUDE_GLOBALS: readonly string[] = names((n) => n.definedBy === 'prelude');

/** The free identifiers a library function may use, in the order the library's wrapper passes them. */
export const LIBRARY_PRIMITIVES: readonly string[] = names((n) => n.primitive);

/** "llm, llmBatch, rlm and print": the primitives, for messages. */
export const LIBRARY_PRIMITIVES_PHRASE = `${LIBRARY_PRIMITIVES.slice(0, -1).join(', ')} and ${LIBRARY_PRIMITIVES[LIBRARY_PRIMITIVES.length - 1]}`;

/** The names whose calls are model calls. */
export const MODEL_CALL_NAMES: readonly string[] = names((n) => n.callsModel);

/** Names a library function may not take: they would hide the sandbox API (or the host) from its code. */
export const RESERVED_FUNCTION_NAMES: ReadonlySet<string> = new Set([...SANDBOX_NAMES, 'console', 'globalThis']);

/** The system prompt's list of the API, one entry per name that has prompt lines. */
export const API_PROMPT_LINES: string = SANDBOX_API.flatMap((n) => (n.prompt ? [n.prompt] : [])).join('\n');

/** `{ a, b: a, ... }`: the prelude's table of its globals (an alias maps to its target). */
export const PRELUDE_API_TABLE: string = `{ ${SANDBOX_API.filter((n) => n.definedBy === 'prelude')
  .map((n) => (n.aliasOf ? `${n.name}: ${n.aliasOf}` : n.name))
  .join(', ')} }`;

/** Ambient declarations (with their docs) of the primitives a library function may call. */
export function primitivesDeclarations(): string {
  return SANDBOX_API.filter((n) => n.primitive)
    .map((n) => `/** ${n.doc} */\n${n.declaration}\n`)
    .join('\n');
}
