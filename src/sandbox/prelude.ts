/**
 * The sandbox API, defined inside the isolate. It runs once per isolate, before any model code.
 * The child leaves four things on the global object for it — the host-call Reference, the output
 * Reference, the configuration and the library source — and the prelude captures them in a closure
 * and deletes them, so model code can reach neither a Reference nor any host object. Options passed to
 * `Reference.apply` are frozen, null-prototype objects, so model code cannot smuggle options in
 * through `Object.prototype`.
 *
 * The names it defines and the primitives it passes to library code come from the one declaration
 * of the sandbox API (src/contracts/sandbox-api.ts).
 */
import { LIBRARY_PRIMITIVES, PRELUDE_API_TABLE } from '../contracts/sandbox-api.js';

const LIBRARY_PARAMS = ['lib', ...LIBRARY_PRIMITIVES, '__libEvent'].map((n) => `'${n}'`).join(', ');
const LIBRARY_ARGS = ['libTable', ...LIBRARY_PRIMITIVES, '(event) => hostCall(\'lib_event\', event)'].join(', ');

export const PRELUDE = String.raw`
(function () {
  'use strict';
  const g = globalThis;
  const hostRef = g.__accrete_host;
  const outRef = g.__accrete_out;
  const cfg = JSON.parse(g.__accrete_cfg);
  const librarySource = g.__accrete_library;
  delete g.__accrete_host;
  delete g.__accrete_out;
  delete g.__accrete_cfg;
  delete g.__accrete_library;
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef']) {
    try { delete g[name]; } catch (e) { /* non-configurable */ }
  }

  const freeze = Object.freeze;
  const bare = (o) => freeze(Object.assign(Object.create(null), o));
  const CALL_OPTS = bare({
    arguments: bare({ copy: true }),
    result: bare({ promise: true, copy: true }),
  });
  const OUT_OPTS = bare({ arguments: bare({ copy: true }) });
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const StringCtor = String;
  const ErrorCtor = Error;

  async function hostCall(fn, payload) {
    const reply = await hostRef.apply(undefined, [fn, jsonStringify(payload)], CALL_OPTS);
    const r = jsonParse(reply);
    if (!r.ok) throw new ErrorCtor(r.error);
    return r.value;
  }

  // --- print: each piece goes out to the child as it is printed (so it outlives the isolate if
  // a step is stopped); a piece over the limit is cut to its head and tail here, with its length ---
  const maxOut = cfg.maxOutputChars;
  const half = Math.floor(maxOut / 2);
  function show(v) {
    if (typeof v === 'string') return v;
    if (v === undefined) return 'undefined';
    if (typeof v === 'function') return '[function ' + (v.name || 'anonymous') + ']';
    if (typeof v === 'bigint' || typeof v === 'symbol') return StringCtor(v);
    if (v instanceof ErrorCtor) return v.name + ': ' + v.message;
    try {
      const s = jsonStringify(v, null, typeof v === 'object' && v !== null ? 2 : undefined);
      return s === undefined ? StringCtor(v) : s;
    } catch (e) {
      return StringCtor(v);
    }
  }
  // Prints reach the host without waiting (applyIgnored); the count lets the host wait for the last one.
  let written = 0;
  function write(s) {
    const piece = s.length > maxOut ? s.slice(0, half) + s.slice(s.length - half) : s;
    written++;
    outRef.applyIgnored(undefined, [piece, s.length], OUT_OPTS);
  }
  function print(...values) {
    write(values.map(show).join(' ') + '\n');
  }

  // --- FINAL ---
  let final;
  let hasFinal = false;
  function toAnswer(v) {
    if (typeof v === 'string') return v;
    if (v === undefined) return 'undefined';
    const s = jsonStringify(v);
    return s === undefined ? StringCtor(v) : s;
  }
  const maxAnswer = cfg.maxAnswerChars;
  function FINAL(value) {
    const answer = toAnswer(value);
    if (answer.length > maxAnswer) {
      throw new ErrorCtor('FINAL: the answer is ' + answer.length.toLocaleString('en-US') + ' characters, over the limit of ' +
        maxAnswer.toLocaleString('en-US') + ' (the maxAnswerChars budget). Answer with what was asked (a count, a summary, the matching items), not the whole input.');
    }
    final = answer;
    hasFinal = true;
    return final;
  }
  function FINAL_VAR(name) {
    const key = StringCtor(name).trim();
    if (!(key in g)) throw new ErrorCtor('FINAL_VAR: no top-level variable named "' + key + '" (declare it in a step first)');
    return FINAL(g[key]);
  }

  // --- model calls ---
  function asContext(ctx) {
    if (ctx === undefined || ctx === null) return undefined;
    return typeof ctx === 'string' ? ctx : jsonStringify(ctx);
  }
  async function llm(query, ctx) {
    if (typeof query !== 'string' || query.length === 0) throw new TypeError('llm(query, context?): query must be a non-empty string');
    return hostCall('llm', { query, context: asContext(ctx) });
  }
  function batch(fn, items) {
    if (!Array.isArray(items)) throw new TypeError(fn + '(items): items must be an array of {query, context}');
    return items.map((it, i) => {
      if (typeof it === 'string') return { query: it };
      if (!it || typeof it.query !== 'string') throw new TypeError(fn + ': item ' + i + ' needs a string "query"');
      return { query: it.query, context: asContext(it.context) };
    });
  }
  async function llmBatch(items) {
    const calls = batch('llmBatch', items);
    if (calls.length === 0) return [];
    return hostCall('llmBatch', { calls });
  }
  async function rlm(query, ctx) {
    if (typeof query !== 'string' || query.length === 0) throw new TypeError('rlm(query, context): query must be a non-empty string');
    return hostCall('rlm', { query, context: asContext(ctx) });
  }
  async function rlmBatch(items) {
    const calls = batch('rlmBatch', items);
    if (calls.length === 0) return [];
    return hostCall('rlmBatch', { calls });
  }

  // --- custom tools: each a call to the host by name; the handlers never enter the isolate ---
  const toolTable = Object.create(null);
  for (const name of cfg.toolNames) {
    toolTable[name] = async function (args) {
      if (typeof args === 'function' || typeof args === 'symbol' || typeof args === 'bigint') {
        throw new TypeError('tools.' + name + '(args): args must be a JSON value (an object, as its schema says)');
      }
      return hostCall('tool', { name, args: args === undefined ? null : args });
    };
  }
  const toolNames = Object.keys(toolTable).sort();
  const tools = new Proxy(freeze(toolTable), {
    get(target, prop) {
      if (typeof prop === 'symbol' || prop === 'toJSON' || prop === 'then') return undefined;
      if (prop in target) return target[prop];
      throw new TypeError('tools.' + prop + ' is not a tool' + (toolNames.length ? '; available: ' + toolNames.join(', ') : '; no tools are registered'));
    },
    set() { throw new TypeError('tools is read-only'); },
  });

  // --- the library (merged orchestrators), run with the same primitives as model code ---
  const libTable = Object.create(null);
  if (librarySource) {
    const define = new Function(${LIBRARY_PARAMS}, librarySource);
    define(${LIBRARY_ARGS});
  }
  const libNames = Object.keys(libTable).sort();
  const lib = new Proxy(freeze(libTable), {
    get(target, prop) {
      if (typeof prop === 'symbol') return undefined;
      if (prop in target) return target[prop];
      throw new TypeError('lib.' + prop + ' is not a library function' + (libNames.length ? '; available: ' + libNames.join(', ') : '; the library is empty'));
    },
    set() { throw new TypeError('lib is read-only'); },
  });

  const api = ${PRELUDE_API_TABLE};
  for (const k of Object.keys(api)) {
    Object.defineProperty(g, k, { value: api[k], writable: true, configurable: true, enumerable: false });
  }
  Object.defineProperty(g, 'console', {
    value: freeze({ log: print, info: print, warn: print, error: print, debug: print }),
    writable: true, configurable: true, enumerable: false,
  });

  // Read once per step by the child through a Reference captured before model code runs.
  // (The output is kept by the child, which it received piece by piece.)
  g.__accrete_take = function () {
    const r = { final: hasFinal ? final : undefined, printed: written };
    hasFinal = false; final = undefined; written = 0;
    return jsonStringify(r);
  };
})();
`;
