/** The body of `export async function <name>(...) { ... }`, dedented: what a member program is compared with. */
import ts from 'typescript';

export function functionBody(source: string, name: string): string | undefined {
  const file = ts.createSourceFile(`${name}.ts`, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const decl = file.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name && !!s.body);
  const body = decl?.body;
  if (!body || body.statements.length === 0) return undefined;
  const start = body.statements[0].getFullStart();
  const text = source.slice(start, body.statements[body.statements.length - 1].getEnd()).replace(/^\s*\n/, '');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
  return lines.map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)![0].length))).join('\n');
}
