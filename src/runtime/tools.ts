/**
 * Custom tools: host functions the root model's code calls as `await tools.<name>(args)`. The
 * handlers stay on the host; the sandbox only knows the names (src/sandbox/prelude.ts) and sends
 * the arguments as JSON. Here the arguments are validated against the tool's JSON Schema (ajv),
 * the handler runs under the step's remaining time, and its result must be a JSON value. Every
 * problem is an Error whose message the model sees.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** What a handler gets besides its arguments. */
export interface ToolCallContext {
  /** Aborted when the step's time is up, the run is cancelled or the sandbox is reset. */
  signal: AbortSignal;
  /** The run (or sub-run) whose code made the call. */
  runId: string;
}

/** A JSON Schema, as a JSON object. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  /** What the tool does, for the model (one or two sentences). */
  description: string;
  /** JSON Schema of the arguments; they are checked against it before the handler runs. */
  parameters: JsonSchema;
  /**
   * Runs on the host with the validated arguments (a JSON value); returns a JSON value (or a
   * promise of one). `undefined` is returned to the code as null; anything else that is not JSON
   * (a function, a Date, a cycle, NaN) is an error the model sees.
   */
  handler(args: unknown, context: ToolCallContext): unknown;
}

/** Tools by name: each name becomes `tools.<name>` in the sandbox. */
export type ToolSet = Record<string, ToolDefinition>;

/** A tool set that cannot be used as given (a bad name, schema or handler). */
export class ToolDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolDefinitionError';
  }
}

/** A call the model's code made wrong (unknown tool, arguments against the schema) or that failed. */
export class ToolCallError extends Error {
  constructor(
    message: string,
    /** 'rejected': never reached the handler; 'error': the handler failed, timed out or returned non-JSON. */
    readonly status: 'rejected' | 'error',
  ) {
    super(message);
    this.name = 'ToolCallError';
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Characters of a tool's schema shown in the system prompt and in argument errors. */
const SCHEMA_SHOWN_CHARS = 1_500;

interface CompiledTool {
  name: string;
  description: string;
  schemaText: string;
  validate: ValidateFunction;
  handler: ToolDefinition['handler'];
}

/** The validator for a schema's declared draft (draft-07 when it declares none). */
function validatorFor(schema: JsonSchema): Ajv {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = { allErrors: true, strict: false };
  if (draft.includes('2020-12')) return new Ajv2020(options);
  if (draft.includes('2019-09')) return new Ajv2019(options);
  return new Ajv(options);
}

const shown = (schema: JsonSchema): string => {
  const text = JSON.stringify(schema);
  return text.length > SCHEMA_SHOWN_CHARS ? `${text.slice(0, SCHEMA_SHOWN_CHARS)}…` : text;
};

/** Where a value stops being JSON ('' when it is JSON), e.g. ".items[2]: a function". */
function notJson(value: unknown, path: string, seen: Set<object>): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return '';
  if (typeof value === 'number') return Number.isFinite(value) ? '' : `${path || 'the result'}: ${value} is not a JSON number`;
  if (typeof value !== 'object') return `${path || 'the result'}: a ${typeof value} is not JSON`;
  if (seen.has(value)) return `${path || 'the result'}: a cycle`;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `${path || 'the result'}: a ${(value as object).constructor?.name ?? 'class instance'} is not a plain JSON object`;
  }
  seen.add(value);
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [`.${k}`, v]);
  for (const [k, v] of entries) {
    const why = notJson(v, `${path}${k}`, seen);
    if (why) return why;
  }
  seen.delete(value);
  return '';
}

/** The system prompt's section listing the tools. */
export const TOOLS_HEADING = '## Tools';
export const TOOLS_INTRO =
  'Call them in code: `const r = await tools.<name>(args)`. args is a JSON value checked against the parameters (JSON Schema) shown; the result is JSON. A wrong call throws an error saying what was wrong.';

/** A validated tool set: the names the sandbox gets, the prompt's listing and the host side of a call. */
export class ToolBox {
  private readonly byName: Map<string, CompiledTool>;

  constructor(tools: ToolSet) {
    if (!tools || typeof tools !== 'object' || Array.isArray(tools)) throw new ToolDefinitionError('tools must be an object: { name: { description, parameters, handler } }');
    this.byName = new Map();
    for (const [name, def] of Object.entries(tools)) {
      if (!IDENTIFIER.test(name)) throw new ToolDefinitionError(`tool "${name}": the name must be a JavaScript identifier (letters, digits, _ and $; not starting with a digit), as the code calls tools.${name}(args)`);
      if (!def || typeof def !== 'object') throw new ToolDefinitionError(`tool ${name}: expected { description, parameters, handler }`);
      if (typeof def.description !== 'string' || def.description.trim() === '') throw new ToolDefinitionError(`tool ${name}: "description" must be a non-empty string telling the model what it does`);
      if (!def.parameters || typeof def.parameters !== 'object' || Array.isArray(def.parameters)) throw new ToolDefinitionError(`tool ${name}: "parameters" must be a JSON Schema object, e.g. { "type": "object", "properties": { ... } }`);
      if (typeof def.handler !== 'function') throw new ToolDefinitionError(`tool ${name}: "handler" must be a function (args, { signal, runId }) => JSON value`);
      let validate: ValidateFunction;
      try {
        validate = validatorFor(def.parameters).compile(def.parameters);
      } catch (err) {
        throw new ToolDefinitionError(`tool ${name}: "parameters" is not a valid JSON Schema: ${(err as Error).message}`);
      }
      this.byName.set(name, { name, description: def.description.trim(), schemaText: shown(def.parameters), validate, handler: def.handler });
    }
  }

  get names(): string[] {
    return [...this.byName.keys()].sort();
  }

  get size(): number {
    return this.byName.size;
  }

  /** The tools section of the system prompt ('' without tools). */
  promptSection(): string {
    if (this.byName.size === 0) return '';
    const lines = this.names.map((n) => {
      const t = this.byName.get(n)!;
      return `- tools.${n}(args): ${t.description}\n  parameters: ${t.schemaText}`;
    });
    return `${TOOLS_HEADING}\n${TOOLS_INTRO}\n\n${lines.join('\n')}`;
  }

  /** Checks the arguments; throws ToolCallError('rejected') saying what is wrong. */
  check(name: string, args: unknown): CompiledTool {
    const tool = this.byName.get(name);
    if (!tool) throw new ToolCallError(`tools.${name} is not a tool; available: ${this.names.join(', ') || 'none'}`, 'rejected');
    if (!tool.validate(args)) {
      const errors = (tool.validate.errors ?? []).map((e) => `args${e.instancePath} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      throw new ToolCallError(`tools.${name}(args): the arguments do not match its parameters: ${errors.join('; ')}. Parameters: ${tool.schemaText}`, 'rejected');
    }
    return tool;
  }

  /**
   * Runs a checked call: the handler's result, as JSON, within `timeoutMs`. Throws ToolCallError
   * ('error') when the handler throws, runs out of time or returns something that is not JSON.
   */
  async run(tool: CompiledTool, args: unknown, opts: { signal: AbortSignal; timeoutMs: number; runId: string }): Promise<unknown> {
    const own = new AbortController();
    const onAbort = () => own.abort(opts.signal.reason);
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new ToolCallError(`tools.${tool.name}: no result within the time left to the step (${Math.round(opts.timeoutMs)} ms); the call was abandoned`, 'error');
        own.abort(err);
        reject(err);
      }, Math.max(0, opts.timeoutMs));
    });
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => {
        const why: unknown = own.signal.reason;
        reject(why instanceof ToolCallError ? why : new ToolCallError(`tools.${tool.name}: cancelled (${why instanceof Error ? why.message : 'the run stopped'})`, 'error'));
      };
      if (own.signal.aborted) fail();
      else own.signal.addEventListener('abort', fail, { once: true });
    });
    let value: unknown;
    try {
      value = await Promise.race([Promise.resolve().then(() => tool.handler(args, { signal: own.signal, runId: opts.runId })), timedOut, aborted]);
    } catch (err) {
      if (err instanceof ToolCallError) throw err;
      throw new ToolCallError(`tools.${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    } finally {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      timedOut.catch(() => {});
      aborted.catch(() => {});
    }
    if (value === undefined) return null;
    const why = notJson(value, '', new Set());
    if (why) throw new ToolCallError(`tools.${tool.name} returned a value that is not JSON (${why}); a tool must return JSON`, 'error');
    return value;
  }
}
