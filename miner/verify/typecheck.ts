/**
 * Type-checking a generated function with the compiler API: an in-memory program of two files, the
 * function and a declaration file for the sandbox primitives, with lib es2022 and strict on. The
 * lib files are parsed once per process and shared.
 */
import ts from 'typescript';
import { primitivesDeclarations } from '../../src/contracts/sandbox-api.js';

/** The sandbox primitives a library function may use: the declarations library.d.ts also holds. */
export const PRIMITIVES_DTS = primitivesDeclarations();

export const FUNCTION_FILE = '/accrete/function.ts';
const PRIMITIVES_FILE = '/accrete/primitives.d.ts';

export const CHECK_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  noResolve: false,
};

const libCache = new Map<string, ts.SourceFile>();
let baseHost: ts.CompilerHost | undefined;

function host(files: ReadonlyMap<string, string>): ts.CompilerHost {
  baseHost ??= ts.createCompilerHost(CHECK_OPTIONS, true);
  const base = baseHost;
  return {
    ...base,
    fileExists: (f) => files.has(f) || base.fileExists(f),
    readFile: (f) => files.get(f) ?? base.readFile(f),
    getSourceFile: (fileName, languageVersion) => {
      const text = files.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true, ts.ScriptKind.TS);
      const hit = libCache.get(fileName);
      if (hit) return hit;
      const sf = base.getSourceFile(fileName, languageVersion);
      if (sf) libCache.set(fileName, sf);
      return sf;
    },
    writeFile: () => {},
    getCurrentDirectory: () => '/accrete',
  };
}

export interface CheckedSource {
  program: ts.Program;
  checker: ts.TypeChecker;
  file: ts.SourceFile;
  diagnostics: readonly ts.Diagnostic[];
}

/** Builds and checks the in-memory program for one function source. */
export function checkSource(source: string): CheckedSource {
  const files = new Map([
    [FUNCTION_FILE, source],
    [PRIMITIVES_FILE, PRIMITIVES_DTS],
  ]);
  const program = ts.createProgram({ rootNames: [FUNCTION_FILE, PRIMITIVES_FILE], options: CHECK_OPTIONS, host: host(files) });
  const file = program.getSourceFile(FUNCTION_FILE)!;
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file), ...program.getGlobalDiagnostics()];
  return { program, checker: program.getTypeChecker(), file, diagnostics };
}

/** `line:column TSxxxx message` for a diagnostic of the function file. */
export function formatDiagnostic(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${line + 1}:${character + 1} TS${d.code} ${text}`;
  }
  return `TS${d.code} ${text}`;
}

/** Type-checks a function source: ok, or the diagnostics as messages. */
export function typeCheck(source: string): { ok: true } | { ok: false; errors: string[] } {
  const { diagnostics } = checkSource(source);
  return diagnostics.length === 0 ? { ok: true } : { ok: false, errors: diagnostics.map(formatDiagnostic) };
}
