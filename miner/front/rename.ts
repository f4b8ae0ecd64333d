/**
 * Positional renaming: every binding (variable, parameter, function) gets a name by the order of
 * its first occurrence — functions f0, f1, ..., everything else v0, v1, ... Bindings are resolved
 * through scopes, so two callbacks that both call their parameter `x` get two names, as they would
 * if they had been called `a` and `b`. The sandbox API and JS globals keep their names unless a
 * local declaration shadows them. Property names are not identifiers here and never change.
 */
import { isKeptGlobal } from './names.js';
import { patternNames } from './scope.js';
import type { NNode } from './tree.js';

interface Binding {
  name?: string;
  isFn: boolean;
}

type Scope = Map<string, Binding>;

/** Names declared directly in a statement list, with whether each is bound to a function. */
function listBindings(stmts: readonly NNode[], scope: Scope): void {
  for (const s of stmts) {
    if (s.k !== 'var' || s.v === 'var') continue;
    for (const d of s.c) {
      const isFn = d.c[0].k === 'id' && d.c[1]?.k === 'fn';
      for (const n of patternNames(d.c[0])) scope.set(n, { isFn });
    }
  }
}

/** `var` declarations of a function body (hoisted), through nested statements but not expressions. */
function varBindings(body: NNode, scope: Scope): void {
  const walk = (n: NNode): void => {
    switch (n.k) {
      case 'var':
        if (n.v === 'var') {
          for (const d of n.c) {
            const isFn = d.c[0].k === 'id' && d.c[1]?.k === 'fn';
            for (const name of patternNames(d.c[0])) if (!scope.has(name)) scope.set(name, { isFn });
          }
        }
        return;
      case 'forof':
      case 'forin':
      case 'forawait':
        if (n.v === 'var') for (const name of patternNames(n.c[0])) if (!scope.has(name)) scope.set(name, { isFn: false });
        walk(n.c[2]);
        return;
      case 'prog':
      case 'block':
      case 'if':
      case 'for':
      case 'while':
      case 'do':
      case 'try':
      case 'catch':
      case 'switch':
      case 'case':
      case 'default':
      case 'label':
        for (const ch of n.c) walk(ch);
        return;
      default:
        return;
    }
  };
  walk(body);
}

export function renamePositional(root: NNode): void {
  new Renamer().run(root);
}

class Renamer {
  private v = 0;
  private f = 0;
  private readonly scopes: Scope[] = [];
  private readonly implicit: Scope = new Map();

  run(root: NNode): void {
    const top: Scope = new Map();
    varBindings(root, top);
    listBindings(root.c, top);
    this.scopes.push(top);
    for (const s of root.c) this.node(s);
    this.scopes.pop();
  }

  private resolve(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) return b;
    }
    if (isKeptGlobal(name)) return undefined;
    let b = this.implicit.get(name);
    if (!b) {
      b = { isFn: false };
      this.implicit.set(name, b);
    }
    return b;
  }

  private ident(n: NNode): void {
    if (n.v === undefined) return;
    const b = this.resolve(n.v);
    if (!b) return;
    if (b.name === undefined) b.name = b.isFn ? `f${this.f++}` : `v${this.v++}`;
    n.v = b.name;
  }

  private withScope(scope: Scope, f: () => void): void {
    this.scopes.push(scope);
    f();
    this.scopes.pop();
  }

  private node(n: NNode): void {
    switch (n.k) {
      case 'id':
        this.ident(n);
        return;
      case 'block':
      case 'case':
      case 'default': {
        const scope: Scope = new Map();
        listBindings(n.c, scope);
        if (scope.size === 0) {
          for (const c of n.c) this.node(c);
          return;
        }
        this.scopes.push(scope);
        for (const c of n.c) this.node(c);
        this.scopes.pop();
        return;
      }
      case 'for': {
        const scope: Scope = new Map();
        if (n.c[0].k === 'var' && n.c[0].v !== 'var') listBindings([n.c[0]], scope);
        this.withScope(scope, () => n.c.forEach((c) => this.node(c)));
        return;
      }
      case 'forof':
      case 'forawait':
      case 'forin': {
        this.node(n.c[1]);
        const scope: Scope = new Map();
        if (n.v && n.v !== 'var') for (const name of patternNames(n.c[0])) scope.set(name, { isFn: false });
        this.withScope(scope, () => {
          this.node(n.c[0]);
          this.node(n.c[2]);
        });
        return;
      }
      case 'catch': {
        const scope: Scope = new Map();
        if (n.c[0].k !== 'none') for (const name of patternNames(n.c[0])) scope.set(name, { isFn: false });
        this.withScope(scope, () => n.c.forEach((c) => this.node(c)));
        return;
      }
      case 'fn': {
        const [name, params, body] = n.c;
        const scope: Scope = new Map();
        if (name.k === 'id' && name.v) scope.set(name.v, { isFn: true });
        for (const p of params.c) for (const pn of patternNames(p)) scope.set(pn, { isFn: false });
        if (body.k === 'block') varBindings(body, scope);
        this.withScope(scope, () => n.c.forEach((c) => this.node(c)));
        return;
      }
      default:
        for (const c of n.c) this.node(c);
    }
  }
}
