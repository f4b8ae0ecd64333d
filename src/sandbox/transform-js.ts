/**
 * The plain-JavaScript way of turning one REPL step into a script, with acorn (a small parser):
 * the same hoisting as the TypeScript path (src/sandbox/transform-ts.ts) without loading the
 * compiler. The model's code is kept as written, only the top-level declarations are rewritten in
 * place, so line numbers hold:
 * - `const`/`let`/`var` declarations become assignments to `globalThis` (`let x;` → `= void 0`),
 *   destructuring included (`const {a, b: [c] = []} = o` → `;({a: globalThis.a, b: [globalThis.c] = []} = o);`);
 * - `class A {}` becomes `globalThis.A = class A {};`;
 * - top-level functions are published on `globalThis` first (they are hoisted), on the first line.
 * Code acorn cannot parse (TypeScript, a syntax error) returns undefined: the TypeScript path decides.
 */
import { type AnyNode, parse, type Pattern, type Program, type VariableDeclaration } from 'acorn';

const target = (name: string): string => `globalThis.${name}`;

/** A binding pattern as an assignment pattern whose targets are globals (defaults and keys as written). */
function patternText(code: string, node: Pattern): string {
  const src = (n: AnyNode): string => code.slice(n.start, n.end);
  switch (node.type) {
    case 'Identifier':
      return target(node.name);
    case 'AssignmentPattern':
      return `${patternText(code, node.left)} = ${src(node.right)}`;
    case 'RestElement':
      return `...${patternText(code, node.argument)}`;
    case 'ArrayPattern': {
      const items = node.elements.map((e) => (e ? patternText(code, e) : ''));
      // A trailing hole still consumes an element of the iterator.
      return `[${items.join(', ')}${node.elements.length > 0 && node.elements[node.elements.length - 1] === null ? ',' : ''}]`;
    }
    case 'ObjectPattern':
      return `{${node.properties
        .map((p) => (p.type === 'RestElement' ? patternText(code, p) : `${p.computed ? `[${src(p.key)}]` : src(p.key)}: ${patternText(code, p.value)}`))
        .join(', ')}}`;
    default:
      throw new Error(`unexpected binding pattern ${node.type}`);
  }
}

const newlines = (text: string): number => text.split('\n').length - 1;

/** Leading spaces and comments, then the comma between two declarators. */
const SEPARATOR = /^((?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*(?:\n|$))*),/;

function declarationText(code: string, decl: VariableDeclaration): string {
  const list = decl.declarations;
  let out = code.slice(decl.start + decl.kind.length, list[0].start);
  list.forEach((d, i) => {
    const value = d.init ? code.slice(d.init.start, d.init.end) : 'void 0';
    if (d.id.type === 'Identifier') out += `${target(d.id.name)} = ${value}`;
    else {
      // Keep the line count of a pattern written over several lines.
      out += `;(${patternText(code, d.id)}${'\n'.repeat(newlines(code.slice(d.id.start, d.id.end)))} = ${value})`;
    }
    const next = list[i + 1];
    if (next) out += code.slice(d.end, next.start).replace(SEPARATOR, '$1;');
  });
  return `${out};`;
}

/** The hoisted body, or undefined when acorn cannot parse the code. */
export function hoistPlainJavaScript(code: string): string | undefined {
  let program: Program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true });
  } catch {
    return undefined;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const published: string[] = [];
  for (const stmt of program.body) {
    if (stmt.type === 'VariableDeclaration') edits.push({ start: stmt.start, end: stmt.end, text: declarationText(code, stmt) });
    else if (stmt.type === 'ClassDeclaration' && stmt.id) {
      edits.push({ start: stmt.end, end: stmt.end, text: ';' }, { start: stmt.start, end: stmt.start, text: `${target(stmt.id.name)} = ` });
    } else if (stmt.type === 'FunctionDeclaration' && stmt.id) published.push(`${target(stmt.id.name)} = ${stmt.id.name};`);
  }
  let out = code;
  // From the end, so earlier offsets still hold; at one offset, the edit made later goes first, so
  // the texts come out in the order they were made.
  const order = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  for (const e of order) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return published.join(' ') + out;
}
