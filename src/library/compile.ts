/**
 * Library functions from TypeScript to the JavaScript the sandbox runs. Each `src/<name>.ts`
 * (`export async function <name>(context, ...)`, using `llm`, `llmBatch`, `rlm` and `print` as free
 * identifiers) is transpiled with the TypeScript compiler API, its `export` keywords stripped, and
 * wrapped so that every call reports a start and an end event (`__libEvent`) to the host, which
 * logs it to `lib_calls`. Library code is no more trusted than model code: it runs in the isolate,
 * with the run's own primitives and budgets (see src/sandbox/prelude.ts for how the source is run).
 * The primitives and the names a function may not take come from the sandbox API's declaration
 * (src/contracts/sandbox-api.ts). The miner verifies candidates compiled by this same code.
 */
import ts from 'typescript';
import { LIBRARY_PRIMITIVES, LIBRARY_PRIMITIVES_PHRASE, RESERVED_FUNCTION_NAMES } from '../contracts/sandbox-api.js';
import { FUNCTION_NAME } from './format.js';

export interface FunctionSource {
  name: string;
  version: string;
  /** The TypeScript of src/<name>.ts. */
  source: string;
}

export interface CompiledFunction {
  name: string;
  version: string;
  /** Plain JavaScript: the file's statements, which declare `function <name>`. */
  js: string;
  /** `(params): ReturnType` read from the declaration (a fallback when the manifest has none). */
  signature: string;
  /** The declaration's JSDoc text, if any (a fallback for the manifest's doc). */
  doc: string;
}

export type CompileResult = { ok: true; fn: CompiledFunction } | { ok: false; error: string };

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  removeComments: false,
  sourceMap: false,
  inlineSourceMap: false,
  declaration: false,
};

/** The wrapper's names, hidden from library code (its function is evaluated with them undefined). */
const SHADOWED = ['__libEvent', '__accrete_ev', '__accrete_now', '__accrete_prefix', '__accrete_seq', '__accrete_message', '__accrete_wrap', '__accrete_broken'].join(', ');

/** Removes `export` (and `default`) from top-level declarations, and `export {...}` lists. */
const stripExports: ts.TransformerFactory<ts.SourceFile> = () => (file) => {
  const statements: ts.Statement[] = [];
  for (const st of file.statements) {
    if (ts.isExportDeclaration(st)) continue;
    if (ts.canHaveModifiers(st)) {
      const mods = ts.getModifiers(st);
      if (mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword)) {
        const kept = (ts.getModifiers(st) ?? []).filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
        statements.push(ts.factory.replaceModifiers(st, kept));
        continue;
      }
    }
    statements.push(st);
  }
  return ts.factory.updateSourceFile(file, statements);
};

const flatten = (d: ts.Diagnostic): string => {
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\.$/, '');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `line ${line + 1}:${character + 1}: ${text}`;
  }
  return text;
};

function declarationInfo(decl: ts.FunctionDeclaration, file: ts.SourceFile): { signature: string; doc: string } {
  const params = decl.parameters.map((p) => p.getText(file)).join(', ');
  const ret = decl.type ? `: ${decl.type.getText(file)}` : '';
  const doc = ts
    .getJSDocCommentsAndTags(decl)
    .filter(ts.isJSDoc)
    .map((d) => (typeof d.comment === 'string' ? d.comment : ts.getTextOfJSDocComment(d.comment) ?? ''))
    .join(' ')
    .trim();
  return { signature: `(${params})${ret}`, doc };
}

/** Transpiles one function file; says what is wrong when it cannot be used. */
export function compileFunction(input: FunctionSource): CompileResult {
  const { name, version, source } = input;
  const fail = (why: string): CompileResult => ({ ok: false, error: `lib.${name}@${version}: ${why}` });
  if (!FUNCTION_NAME.test(name)) return fail(`"${name}" is not a valid function name (lower camelCase letters and digits)`);
  if (RESERVED_FUNCTION_NAMES.has(name)) return fail(`"${name}" is a name of the sandbox API; choose another name`);
  const out = ts.transpileModule(source, {
    compilerOptions: COMPILER_OPTIONS,
    fileName: `${name}.ts`,
    reportDiagnostics: true,
    transformers: { before: [stripExports] },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) return fail(`does not compile: ${errors.slice(0, 3).map(flatten).join('; ')}`);
  const file = ts.createSourceFile(`${name}.ts`, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  let decl: ts.FunctionDeclaration | undefined;
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) return fail(`library functions must not import anything (use ${LIBRARY_PRIMITIVES_PHRASE}, which the sandbox provides)`);
    if (ts.isExportAssignment(st)) return fail('`export =` / `export default <expression>` is not supported: declare `export async function ' + name + '(...)`');
    if (ts.isExportDeclaration(st) && st.moduleSpecifier) return fail('library functions must not re-export from other modules');
    if (ts.isFunctionDeclaration(st) && st.name?.text === name && st.body) decl = st;
  }
  if (!decl) return fail(`src/${name}.ts does not declare \`export async function ${name}(...)\``);
  const js = out.outputText.replace(/^\s*export\s*\{\s*\};?\s*$/gm, '');
  try {
    // Parse only (never run) in the host, the way the sandbox will: catches what the engine rejects.
    new Function('lib', ...LIBRARY_PRIMITIVES, `'use strict';\n${js}\nreturn ${name};`);
  } catch (err) {
    return fail(`does not compile: ${(err as Error).message}`);
  }
  return { ok: true, fn: { name, version, js, ...declarationInfo(decl, file) } };
}

/** The wrapper every library function runs in: start and end events, timed inside the sandbox. */
const RUNTIME = String.raw`'use strict';
const __accrete_ev = __libEvent;
const __accrete_now = Date.now;
const __accrete_prefix = Math.random().toString(36).slice(2, 10) + ':';
let __accrete_seq = 0;
const __accrete_message = (e) => {
  try {
    if (e && typeof e === 'object' && typeof e.message === 'string') return (typeof e.name === 'string' && e.name !== 'Error' ? e.name + ': ' : '') + e.message;
    return String(e);
  } catch (x) {
    return 'unprintable error';
  }
};
const __accrete_wrap = (name, version, fn) => {
  const wrapped = async function (...args) {
    const callId = __accrete_prefix + (++__accrete_seq);
    await __accrete_ev({ type: 'start', name, version, callId });
    const t0 = __accrete_now();
    let value;
    try {
      value = await fn.apply(undefined, args);
    } catch (e) {
      try {
        await __accrete_ev({ type: 'end', name, version, callId, ok: false, error: __accrete_message(e), durationMs: __accrete_now() - t0 });
      } catch (x) { /* the host is gone: the error below is what matters */ }
      throw e;
    }
    await __accrete_ev({ type: 'end', name, version, callId, ok: true, durationMs: __accrete_now() - t0 });
    return value;
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
};
const __accrete_broken = (name, e) => {
  const message = 'lib.' + name + ' could not be loaded: ' + __accrete_message(e);
  return async function () { throw new Error(message); };
};
`;

/**
 * The JavaScript that fills `lib` inside the sandbox: evaluated by the prelude as the body of
 * `new Function('lib', <the primitives>, '__libEvent', source)`. Each function
 * lives in its own scope, where the event hook and the wrapper are shadowed (library code cannot
 * forge events or rewrap itself), and a function whose top level throws only breaks itself.
 */
export function buildLibrarySource(fns: readonly CompiledFunction[]): string {
  if (fns.length === 0) return '';
  const parts = [RUNTIME];
  for (const f of fns) {
    const name = JSON.stringify(f.name);
    parts.push(`try {
  lib[${name}] = __accrete_wrap(${name}, ${JSON.stringify(f.version)}, (function (${SHADOWED}) {
'use strict';
${f.js}
;return ${f.name};
})());
} catch (e) {
  lib[${name}] = __accrete_broken(${name}, e);
}
`);
  }
  return parts.join('\n');
}

/** Compiles every function; those that do not compile are left out, with a warning each. */
export function compileLibrary(files: readonly FunctionSource[]): { source: string; compiled: CompiledFunction[]; warnings: string[] } {
  const compiled: CompiledFunction[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    const r = compileFunction(file);
    if (r.ok) compiled.push(r.fn);
    else warnings.push(`${r.error} (skipped)`);
  }
  return { source: buildLibrarySource(compiled), compiled, warnings };
}
