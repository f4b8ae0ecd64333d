/**
 * Prints the miner's tree as canonical JavaScript-like text: one statement per line, two-space
 * indentation, arrows for all non-generator functions, every non-primary operand parenthesized.
 * With `abstract`, literals print as placeholders ($str, $num, $re, $tpl(holes...)).
 * With `anonymize`, every name that is not a kept global prints as `_` (a name-free shape key).
 */
import { isKeptGlobal } from './names.js';
import { catchClause, onlyFallback, type NNode, type NodeKind } from './tree.js';

export interface PrintOptions {
  abstract?: boolean;
  anonymize?: boolean;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

const INDENTS: string[] = [''];
function indent(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(INDENTS[INDENTS.length - 1] + '  ');
  return INDENTS[depth];
}

const PRIMARY: ReadonlySet<NodeKind> = new Set<NodeKind>(['id', 'str', 'num', 're', 'bool', 'null', 'this', 'super', 'tpl', 'arr', 'obj', 'call', 'new', 'mem', 'idx', 'tagged', 'none']);

export function printStatements(stmts: readonly NNode[], opts: PrintOptions = {}): string {
  const p = new Printer(opts);
  for (const s of stmts) p.stmt(s, 0);
  return p.lines.join('\n');
}

export function printNode(n: NNode, opts: PrintOptions = {}): string {
  const p = new Printer(opts);
  if (isStatementKind(n.k)) {
    p.stmt(n, 0);
    return p.lines.join('\n');
  }
  return p.expr(n);
}

function isStatementKind(k: NodeKind): boolean {
  switch (k) {
    case 'var':
    case 'expr':
    case 'if':
    case 'for':
    case 'forof':
    case 'forawait':
    case 'forin':
    case 'while':
    case 'do':
    case 'return':
    case 'break':
    case 'continue':
    case 'throw':
    case 'try':
    case 'switch':
    case 'label':
    case 'block':
    case 'prog':
      return true;
    default:
      return false;
  }
}

class Printer {
  readonly lines: string[] = [];
  constructor(private readonly o: PrintOptions) {}

  private line(depth: number, text: string): void {
    this.lines.push(depth === 0 ? text : indent(depth) + text);
  }

  private body(n: NNode, depth: number): void {
    const stmts = n.k === 'block' ? n.c : [n];
    for (const s of stmts) this.stmt(s, depth + 1);
  }

  stmt(s: NNode, d: number): void {
    switch (s.k) {
      case 'prog':
      case 'block':
        if (s.k === 'block') this.line(d, '{');
        for (const ch of s.c) this.stmt(ch, s.k === 'block' ? d + 1 : d);
        if (s.k === 'block') this.line(d, '}');
        return;
      case 'var':
        this.varLine(s, d, ';');
        return;
      case 'expr':
        this.exprLine(d, this.expr(s.c[0]), ';');
        return;
      case 'if':
        this.line(d, `if (${this.expr(s.c[0])}) {`);
        this.body(s.c[1], d);
        if (s.c[2]) {
          this.line(d, '} else {');
          this.body(s.c[2], d);
        }
        this.line(d, '}');
        return;
      case 'for': {
        const init = s.c[0].k === 'var' ? this.varText(s.c[0]) : s.c[0].k === 'none' ? '' : this.expr(s.c[0]);
        const cond = s.c[1].k === 'none' ? '' : this.expr(s.c[1]);
        const incr = s.c[2].k === 'none' ? '' : this.expr(s.c[2]);
        this.line(d, `for (${init}; ${cond}; ${incr}) {`);
        this.body(s.c[3], d);
        this.line(d, '}');
        return;
      }
      case 'forof':
      case 'forawait':
      case 'forin': {
        const decl = s.v ? 'let ' : '';
        const kw = s.k === 'forin' ? 'in' : 'of';
        const aw = s.k === 'forawait' ? 'await ' : '';
        this.line(d, `for ${aw}(${decl}${this.pattern(s.c[0])} ${kw} ${this.expr(s.c[1])}) {`);
        this.body(s.c[2], d);
        this.line(d, '}');
        return;
      }
      case 'while':
        this.line(d, `while (${this.expr(s.c[0])}) {`);
        this.body(s.c[1], d);
        this.line(d, '}');
        return;
      case 'do':
        this.line(d, 'do {');
        this.body(s.c[0], d);
        this.line(d, `} while (${this.expr(s.c[1])});`);
        return;
      case 'return':
        this.exprLine(d, s.c[0] ? `return ${this.expr(s.c[0])}` : 'return', ';');
        return;
      case 'break':
      case 'continue':
        this.line(d, s.v ? `${s.k} ${s.v};` : `${s.k};`);
        return;
      case 'throw':
        this.exprLine(d, `throw ${this.expr(s.c[0])}`, ';');
        return;
      case 'try':
        this.line(d, 'try {');
        this.body(s.c[0], d);
        const cat = catchClause(s);
        if (cat) {
          const param = cat.param.k === 'none' ? '' : ` (${this.pattern(cat.param)})`;
          this.line(d, `} catch${param} {`);
          this.body(cat.body, d);
        }
        if (s.c[2].k === 'block') {
          this.line(d, '} finally {');
          this.body(s.c[2], d);
        }
        this.line(d, '}');
        return;
      case 'switch':
        this.line(d, `switch (${this.expr(s.c[0])}) {`);
        for (let i = 1; i < s.c.length; i++) {
          const cl = s.c[i];
          if (cl.k === 'case') {
            this.line(d + 1, `case ${this.expr(cl.c[0])}:`);
            for (let j = 1; j < cl.c.length; j++) this.stmt(cl.c[j], d + 2);
          } else {
            this.line(d + 1, 'default:');
            for (const st of cl.c) this.stmt(st, d + 2);
          }
        }
        this.line(d, '}');
        return;
      case 'label':
        this.line(d, `${this.name(s.v ?? '')}:`);
        for (const ch of s.c) this.stmt(ch, d);
        return;
      case 'none':
        return;
      default:
        this.exprLine(d, this.expr(s), ';');
    }
  }

  /** Multi-line expressions (functions with block bodies) are split on their own newlines. */
  private exprLine(d: number, text: string, end: string): void {
    if (text.indexOf('\n') < 0) {
      this.line(d, text + end);
      return;
    }
    const parts = text.split('\n');
    for (let i = 0; i < parts.length; i++) this.line(d, i === parts.length - 1 ? parts[i] + end : parts[i]);
  }

  private varText(v: NNode): string {
    let out = 'let ';
    for (let i = 0; i < v.c.length; i++) {
      const dcl = v.c[i];
      if (i > 0) out += ', ';
      out += dcl.c[1] ? `${this.pattern(dcl.c[0])} = ${this.expr(dcl.c[1])}` : this.pattern(dcl.c[0]);
    }
    return out;
  }

  private varLine(v: NNode, d: number, end: string): void {
    this.exprLine(d, this.varText(v), end);
  }

  private name(n: string): string {
    if (this.o.anonymize && !isKeptGlobal(n)) return '_';
    return n;
  }

  private key(k: string): string {
    return IDENT.test(k) ? k : JSON.stringify(k);
  }

  pattern(p: NNode): string {
    switch (p.k) {
      case 'id':
        return this.name(p.v ?? '');
      case 'opat':
        return `{${p.c.map((el) => this.pattern(el)).join(', ')}}`;
      case 'apat':
        return `[${p.c.map((el) => this.pattern(el)).join(', ')}]`;
      case 'bind':
        return `${this.key(p.v ?? '')}: ${this.pattern(p.c[0])}${p.c[1] ? ` = ${this.expr(p.c[1])}` : ''}`;
      case 'cbind':
        return `[${this.expr(p.c[0])}]: ${this.pattern(p.c[1])}${p.c[2] ? ` = ${this.expr(p.c[2])}` : ''}`;
      case 'dflt':
        return `${this.pattern(p.c[0])} = ${this.expr(p.c[1])}`;
      case 'rest':
        return `...${this.pattern(p.c[0])}`;
      case 'param':
        return p.c[1] ? `${this.pattern(p.c[0])} = ${this.expr(p.c[1])}` : this.pattern(p.c[0]);
      case 'hole':
        return '';
      default:
        return this.expr(p);
    }
  }

  private wrap(n: NNode): string {
    const t = this.expr(n);
    return PRIMARY.has(n.k) ? t : `(${t})`;
  }

  /** Call arguments: children from index `from` on. */
  private args(ns: readonly NNode[], from = 0): string {
    let out = '';
    for (let i = from; i < ns.length; i++) {
      const a = ns[i];
      if (i > from) out += ', ';
      out += a.k === 'seq' ? `(${this.expr(a)})` : this.expr(a);
    }
    return out;
  }

  private blockText(b: NNode): string {
    const inner = new Printer(this.o);
    for (const s of b.c) inner.stmt(s, 1);
    return inner.lines.length ? `{\n${inner.lines.join('\n')}\n}` : '{}';
  }

  expr(n: NNode): string {
    const o = this.o;
    switch (n.k) {
      case 'id':
        return this.name(n.v ?? '');
      case 'str':
        return o.abstract ? '$str' : JSON.stringify(n.v ?? '');
      case 'num':
        return o.abstract ? '$num' : (n.v ?? '0');
      case 're':
        return o.abstract ? '$re' : (n.v ?? '//');
      case 'bool':
        return n.v ?? 'false';
      case 'null':
      case 'this':
      case 'super':
        return n.k;
      case 'none':
        return '';
      case 'hole':
        return '';
      case 'tpl': {
        if (o.abstract) {
          const holes: string[] = [];
          for (let i = 1; i < n.c.length; i += 2) holes.push(this.expr(n.c[i]));
          return `$tpl(${holes.join(', ')})`;
        }
        let s = '`';
        for (let i = 0; i < n.c.length; i++) {
          if (i % 2 === 0) s += (n.c[i].v ?? '').replace(/[`\\]|\$\{/g, (m) => `\\${m}`);
          else s += '${' + this.expr(n.c[i]) + '}';
        }
        return s + '`';
      }
      case 'tstr':
        return o.abstract ? '$str' : JSON.stringify(n.v ?? '');
      case 'tagged':
        return `${this.wrap(n.c[0])}${this.expr(n.c[1])}`;
      case 'arr':
        return `[${n.c.map((e) => this.expr(e)).join(', ')}]`;
      case 'spread':
        return `...${this.wrap(n.c[0])}`;
      case 'obj':
        return n.c.length === 0 ? '{}' : `{${n.c.map((p) => this.prop(p)).join(', ')}}`;
      case 'mem':
        return `${this.wrap(n.c[0])}.${n.v ?? ''}`;
      case 'idx':
        return `${this.wrap(n.c[0])}[${this.expr(n.c[1])}]`;
      case 'call':
        return `${this.wrap(n.c[0])}(${this.args(n.c, 1)})`;
      case 'new':
        return `new ${this.wrap(n.c[0])}(${this.args(n.c, 1)})`;
      case 'bin':
        return `${this.wrap(n.c[0])} ${n.v ?? '?'} ${this.wrap(n.c[1])}`;
      case 'assign':
        return `${this.pattern(n.c[0])} ${n.v ?? '='} ${n.c[1].k === 'seq' ? `(${this.expr(n.c[1])})` : this.expr(n.c[1])}`;
      case 'pre':
        return n.v === 'typeof' || n.v === 'void' || n.v === 'delete' ? `${n.v} ${this.wrap(n.c[0])}` : `${n.v ?? ''}${this.wrap(n.c[0])}`;
      case 'post':
        return `${this.wrap(n.c[0])}${n.v ?? ''}`;
      case 'cond':
        return `${this.wrap(n.c[0])} ? ${this.wrap(n.c[1])} : ${this.wrap(n.c[2])}`;
      case 'seq':
        return `${this.expr(n.c[0])}, ${this.expr(n.c[1])}`;
      case 'await':
        return `await ${this.wrap(n.c[0])}`;
      case 'yield':
        return `yield${n.v === '*' ? '*' : ''}${n.c[0] ? ` ${this.wrap(n.c[0])}` : ''}`;
      case 'fn':
        return this.fn(n);
      case 'param':
      case 'rest':
      case 'opat':
      case 'apat':
      case 'dflt':
        return this.pattern(n);
      case 'class':
        return `class {${n.c.map((m) => `${m.k} ${m.v ?? ''} ${m.c.map((x) => this.expr(x)).join(' ')}`).join('; ')}}`;
      // Kinds with no expression syntax of their own (statements and parts of other nodes when
      // printed out of place, anti-unification holes): the kind applied to the children.
      case 'prog':
      case 'block':
      case 'var':
      case 'decl':
      case 'expr':
      case 'if':
      case 'for':
      case 'forof':
      case 'forawait':
      case 'forin':
      case 'while':
      case 'do':
      case 'return':
      case 'break':
      case 'continue':
      case 'throw':
      case 'try':
      case 'catch':
      case 'switch':
      case 'case':
      case 'default':
      case 'label':
      case 'prop':
      case 'cprop':
      case 'accessor':
      case 'params':
      case 'method':
      case 'field':
      case 'extends':
      case 'bind':
      case 'cbind':
      case '?':
        return this.generic(n);
      default:
        onlyFallback(n.k);
        return this.generic(n);
    }
  }

  private generic(n: NNode): string {
    return `${n.k}(${n.c.map((x) => (isStatementKind(x.k) ? printNode(x, this.o).replace(/\n/g, ' ') : this.expr(x))).join(', ')})`;
  }

  private prop(p: NNode): string {
    switch (p.k) {
      case 'prop':
        return `${this.key(p.v ?? '')}: ${this.expr(p.c[0])}`;
      case 'cprop':
        return `[${this.expr(p.c[0])}]: ${this.expr(p.c[1])}`;
      case 'spread':
        return `...${this.wrap(p.c[0])}`;
      case 'accessor':
        return `accessor ${this.key(p.v ?? '')}: ${this.expr(p.c[0])}`;
      default:
        return this.expr(p);
    }
  }

  private fn(n: NNode): string {
    const [name, params, body] = n.c;
    const ps = params.c.map((p) => this.pattern(p)).join(', ');
    const flags = n.v ?? '';
    const asyncKw = flags.includes('async') ? 'async ' : '';
    const bodyText = body.k === 'block' ? this.blockText(body) : body.k === 'obj' || body.k === 'seq' ? `(${this.expr(body)})` : this.expr(body);
    if (flags.includes('gen') || name.k === 'id') {
      const nm = name.k === 'id' ? ` ${this.name(name.v ?? '')}` : '';
      const b = body.k === 'block' ? bodyText : `{\n  return ${this.expr(body)};\n}`;
      return `${asyncKw}function${flags.includes('gen') ? '*' : ''}${nm}(${ps}) ${b}`;
    }
    return `${asyncKw}(${ps}) => ${bodyText}`;
  }
}
