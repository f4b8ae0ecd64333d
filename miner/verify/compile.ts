/**
 * The function as the sandbox runs it: TypeScript compiled to JavaScript with `ts.transpileModule`
 * (types erased, nothing else changed) and the `export` dropped, so that the step that replays a
 * member can define it and call it: `<function js>\nFINAL(await <name>(context, ...args))`.
 */
import ts from 'typescript';

export function functionScript(source: string): string {
  const out = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false, sourceMap: false },
    reportDiagnostics: false,
  });
  return out.outputText
    .replace(/^\s*export\s*\{\s*\};?\s*$/gm, '')
    .replace(/^(\s*)export\s+(async\s+function|function)\b/m, '$1$2')
    .trim();
}

/** The step that calls the function with the given arguments (after `context`) and ends with its answer. */
export function callStep(script: string, name: string, args: readonly unknown[]): string {
  const rest = args.map((a) => `, ${JSON.stringify(a)}`).join('');
  return `${script}\nFINAL(await ${name}(context${rest}));\n`;
}
