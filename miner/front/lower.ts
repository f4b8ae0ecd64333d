/**
 * Parsing with the TypeScript compiler API and lowering of its AST into the miner's tree
 * ({@link NNode}): TypeScript types are stripped, parentheses dropped, comments and layout lost.
 * A few spellings are unified on the way (`recursive_llm` → `llm`, `console.log` → `print`,
 * `FINAL_VAR("x")` → `FINAL(x)`, function declarations → `var(function)` bindings).
 */
import ts from 'typescript';
import { MAX_TREE_DEPTH } from './guard.js';
import { mk, id, none, type NNode } from './tree.js';

export class LowerError extends Error {}

/** Parses one block. Returns the source file, or the first syntax error's message. */
export function parseBlock(code: string): { ok: true; sf: ts.SourceFile } | { ok: false; reason: string } {
  const sf = ts.createSourceFile(
    'block.ts',
    code,
    {
      languageVersion: ts.ScriptTarget.ES2022,
      jsDocParsingMode: ts.JSDocParsingMode.ParseNone,
      // Parse as a module so that top-level `await (...)` is an await expression.
      setExternalModuleIndicator: (file: ts.SourceFile) => {
        (file as unknown as { externalModuleIndicator?: unknown }).externalModuleIndicator = true;
      },
    },
    false,
    ts.ScriptKind.TS,
  );
  const diags = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.length > 0) {
    const d = diags[0];
    const pos = d.start !== undefined ? sf.getLineAndCharacterOfPosition(d.start) : undefined;
    const where = pos ? ` at line ${pos.line + 1}, column ${pos.character + 1}` : '';
    return { ok: false, reason: `syntax error${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}` };
  }
  return { ok: true, sf };
}

const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug']);

/** Lowers a parsed block to its list of statements. Throws LowerError when nesting is too deep. */
export function lowerSourceFile(sf: ts.SourceFile): NNode[] {
  const out: NNode[] = [];
  for (const s of sf.statements) pushStatement(out, s, 1);
  return out;
}

/**
 * Lowers a parsed block like {@link lowerSourceFile}, and says where each lowered statement was
 * written: the 1-based first and last line of the top-level statement it came from, and whether it
 * only defines a function (a declaration, or a binding whose value is a function literal).
 */
export function lowerSourceFileWithLines(sf: ts.SourceFile): { stmts: NNode[]; spans: StatementSpan[] } {
  const stmts: NNode[] = [];
  const spans: StatementSpan[] = [];
  for (const s of sf.statements) {
    const before = stmts.length;
    pushStatement(stmts, s, 1);
    if (stmts.length === before) continue;
    spans.push({
      first: sf.getLineAndCharacterOfPosition(s.getStart(sf)).line + 1,
      last: sf.getLineAndCharacterOfPosition(s.getEnd()).line + 1,
      definesFunction: definesFunctionOnly(s),
    });
  }
  return { stmts, spans };
}

/** Where a top-level statement was written (see {@link lowerSourceFileWithLines}). */
export interface StatementSpan {
  first: number;
  last: number;
  definesFunction: boolean;
}

function definesFunctionOnly(s: ts.Statement): boolean {
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) return true;
  if (!ts.isVariableStatement(s)) return false;
  return s.declarationList.declarations.every(
    (d) => d.initializer !== undefined && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer) || ts.isClassExpression(d.initializer)),
  );
}

function tooDeep(depth: number): void {
  if (depth > MAX_TREE_DEPTH) throw new LowerError(`nesting too deep: the syntax tree is more than ${MAX_TREE_DEPTH} levels deep`);
}

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = (n as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (!mods) return false;
  for (const m of mods) if (m.kind === kind) return true;
  return false;
}

function pushStatement(out: NNode[], s: ts.Statement, d: number): void {
  const n = lowerStatement(s, d);
  if (n) out.push(n);
}

function block(s: ts.Statement | undefined, d: number): NNode {
  if (!s) return mk('block');
  if (ts.isBlock(s)) return lowerBlock(s, d);
  const stmts: NNode[] = [];
  pushStatement(stmts, s, d + 1);
  return mk('block', stmts);
}

function lowerBlock(b: ts.Block, d: number): NNode {
  tooDeep(d);
  const stmts: NNode[] = [];
  for (const s of b.statements) pushStatement(stmts, s, d + 1);
  return mk('block', stmts);
}

function declKind(list: ts.VariableDeclarationList): string {
  if (list.flags & ts.NodeFlags.Const) return 'const';
  if (list.flags & ts.NodeFlags.Let) return 'let';
  return 'var';
}

function lowerVarList(list: ts.VariableDeclarationList, d: number): NNode {
  const decls = list.declarations.map((decl) => {
    const c = [lowerPattern(decl.name, d + 1)];
    if (decl.initializer) c.push(lowerExpr(decl.initializer, d + 1));
    return mk('decl', c);
  });
  return mk('var', decls, declKind(list));
}

function lowerStatement(s: ts.Statement, d: number): NNode | undefined {
  tooDeep(d);
  switch (s.kind) {
    case ts.SyntaxKind.VariableStatement: {
      const v = s as ts.VariableStatement;
      if (hasModifier(v, ts.SyntaxKind.DeclareKeyword)) return undefined;
      return lowerVarList(v.declarationList, d);
    }
    case ts.SyntaxKind.ExpressionStatement:
      return mk('expr', [lowerExpr((s as ts.ExpressionStatement).expression, d + 1)]);
    case ts.SyntaxKind.IfStatement: {
      const i = s as ts.IfStatement;
      const c = [lowerExpr(i.expression, d + 1), block(i.thenStatement, d + 1)];
      if (i.elseStatement) c.push(block(i.elseStatement, d + 1));
      return mk('if', c);
    }
    case ts.SyntaxKind.ForStatement: {
      const f = s as ts.ForStatement;
      const init = f.initializer
        ? ts.isVariableDeclarationList(f.initializer)
          ? lowerVarList(f.initializer, d + 1)
          : lowerExpr(f.initializer, d + 1)
        : none();
      return mk('for', [
        init,
        f.condition ? lowerExpr(f.condition, d + 1) : none(),
        f.incrementor ? lowerExpr(f.incrementor, d + 1) : none(),
        block(f.statement, d + 1),
      ]);
    }
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.ForInStatement: {
      const f = s as ts.ForOfStatement | ts.ForInStatement;
      let target: NNode;
      let kind = '';
      if (ts.isVariableDeclarationList(f.initializer)) {
        kind = declKind(f.initializer);
        const first = f.initializer.declarations[0];
        target = first ? lowerPattern(first.name, d + 1) : none();
      } else target = lowerExpr(f.initializer, d + 1);
      const isAwait = ts.isForOfStatement(f) && f.awaitModifier !== undefined;
      const k = ts.isForOfStatement(f) ? (isAwait ? 'forawait' : 'forof') : 'forin';
      return mk(k, [target, lowerExpr(f.expression, d + 1), block(f.statement, d + 1)], kind);
    }
    case ts.SyntaxKind.WhileStatement: {
      const w = s as ts.WhileStatement;
      return mk('while', [lowerExpr(w.expression, d + 1), block(w.statement, d + 1)]);
    }
    case ts.SyntaxKind.DoStatement: {
      const w = s as ts.DoStatement;
      return mk('do', [block(w.statement, d + 1), lowerExpr(w.expression, d + 1)]);
    }
    case ts.SyntaxKind.Block:
      return lowerBlock(s as ts.Block, d);
    case ts.SyntaxKind.ReturnStatement: {
      const r = s as ts.ReturnStatement;
      return mk('return', r.expression ? [lowerExpr(r.expression, d + 1)] : []);
    }
    case ts.SyntaxKind.BreakStatement:
    case ts.SyntaxKind.ContinueStatement: {
      const b = s as ts.BreakStatement | ts.ContinueStatement;
      return mk(s.kind === ts.SyntaxKind.BreakStatement ? 'break' : 'continue', [], b.label?.text);
    }
    case ts.SyntaxKind.ThrowStatement:
      return mk('throw', [lowerExpr((s as ts.ThrowStatement).expression, d + 1)]);
    case ts.SyntaxKind.TryStatement: {
      const t = s as ts.TryStatement;
      const cat = t.catchClause
        ? mk('catch', [
            t.catchClause.variableDeclaration ? lowerPattern(t.catchClause.variableDeclaration.name, d + 2) : none(),
            lowerBlock(t.catchClause.block, d + 2),
          ])
        : none();
      return mk('try', [lowerBlock(t.tryBlock, d + 1), cat, t.finallyBlock ? lowerBlock(t.finallyBlock, d + 1) : none()]);
    }
    case ts.SyntaxKind.FunctionDeclaration: {
      const f = s as ts.FunctionDeclaration;
      if (!f.body || hasModifier(f, ts.SyntaxKind.DeclareKeyword)) return undefined;
      const name = f.name ? id(f.name.text) : none();
      return mk('var', [mk('decl', [name, lowerFunction(f, d + 1, false)])], 'function');
    }
    case ts.SyntaxKind.ClassDeclaration: {
      const c = s as ts.ClassDeclaration;
      if (hasModifier(c, ts.SyntaxKind.DeclareKeyword)) return undefined;
      const name = c.name ? id(c.name.text) : none();
      return mk('var', [mk('decl', [name, lowerClass(c, d + 1)])], 'class');
    }
    case ts.SyntaxKind.LabeledStatement: {
      const l = s as ts.LabeledStatement;
      const inner = lowerStatement(l.statement, d + 1);
      return mk('label', inner ? [inner] : [], l.label.text);
    }
    case ts.SyntaxKind.SwitchStatement: {
      const sw = s as ts.SwitchStatement;
      const clauses = sw.caseBlock.clauses.map((cl) => {
        const stmts: NNode[] = [];
        for (const st of cl.statements) pushStatement(stmts, st, d + 2);
        return ts.isCaseClause(cl) ? mk('case', [lowerExpr(cl.expression, d + 2), ...stmts]) : mk('default', stmts);
      });
      return mk('switch', [lowerExpr(sw.expression, d + 1), ...clauses]);
    }
    case ts.SyntaxKind.EmptyStatement:
    case ts.SyntaxKind.DebuggerStatement:
    case ts.SyntaxKind.InterfaceDeclaration:
    case ts.SyntaxKind.TypeAliasDeclaration:
    case ts.SyntaxKind.ImportDeclaration:
    case ts.SyntaxKind.ImportEqualsDeclaration:
    case ts.SyntaxKind.NamespaceExportDeclaration:
      return undefined;
    case ts.SyntaxKind.ExportDeclaration:
    case ts.SyntaxKind.ExportAssignment:
      return undefined;
    default:
      return generic(s, d);
  }
}

function lowerFunction(f: ts.SignatureDeclarationBase & { body?: ts.Node }, d: number, keepName: boolean): NNode {
  tooDeep(d);
  const flags: string[] = [];
  if (hasModifier(f, ts.SyntaxKind.AsyncKeyword)) flags.push('async');
  if ((f as { asteriskToken?: ts.Node }).asteriskToken) flags.push('gen');
  const params: NNode[] = [];
  for (const p of f.parameters) {
    if (ts.isIdentifier(p.name) && p.name.text === 'this') continue;
    const pat = lowerPattern(p.name, d + 2);
    if (p.dotDotDotToken) params.push(mk('rest', [pat]));
    else params.push(mk('param', p.initializer ? [pat, lowerExpr(p.initializer, d + 2)] : [pat]));
  }
  const nameNode = keepName && f.name && ts.isIdentifier(f.name) ? id(f.name.text) : none();
  let body: NNode;
  if (!f.body) body = mk('block');
  else if (ts.isBlock(f.body)) body = lowerBlock(f.body, d + 1);
  else body = lowerExpr(f.body as ts.Expression, d + 1);
  return mk('fn', [nameNode, mk('params', params), body], flags.join(' '));
}

function lowerClass(c: ts.ClassLikeDeclaration, d: number): NNode {
  tooDeep(d);
  const members: NNode[] = [];
  for (const h of c.heritageClauses ?? []) {
    if (h.token === ts.SyntaxKind.ExtendsKeyword) for (const t of h.types) members.push(mk('extends', [lowerExpr(t.expression, d + 1)]));
  }
  for (const m of c.members) {
    if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) {
      if (!m.body) continue;
      const key = m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) || ts.isPrivateIdentifier(m.name)) ? m.name.text : ts.isConstructorDeclaration(m) ? 'constructor' : '';
      members.push(mk('method', [lowerFunction(m, d + 1, false)], key));
    } else if (ts.isPropertyDeclaration(m)) {
      if (hasModifier(m, ts.SyntaxKind.DeclareKeyword)) continue;
      const key = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) || ts.isPrivateIdentifier(m.name) ? m.name.text : '';
      members.push(mk('field', m.initializer ? [lowerExpr(m.initializer, d + 1)] : [], key));
    }
  }
  return mk('class', members);
}

function propKey(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

export function lowerPattern(p: ts.BindingName, d: number): NNode {
  tooDeep(d);
  if (ts.isIdentifier(p)) return id(p.text);
  if (ts.isObjectBindingPattern(p)) {
    return mk(
      'opat',
      p.elements.map((el) => {
        const target = lowerPattern(el.name, d + 1);
        if (el.dotDotDotToken) return mk('rest', [target]);
        const c = [target];
        if (el.initializer) c.push(lowerExpr(el.initializer, d + 1));
        const keyNode = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
        const key = keyNode ? propKey(keyNode) : undefined;
        if (key !== undefined) return mk('bind', c, key);
        const computed = el.propertyName && ts.isComputedPropertyName(el.propertyName) ? lowerExpr(el.propertyName.expression, d + 1) : none();
        return mk('cbind', [computed, ...c]);
      }),
    );
  }
  return mk(
    'apat',
    p.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return mk('hole');
      const target = lowerPattern(el.name, d + 1);
      if (el.dotDotDotToken) return mk('rest', [target]);
      return el.initializer ? mk('dflt', [target, lowerExpr(el.initializer, d + 1)]) : target;
    }),
  );
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function binaryOp(kind: ts.SyntaxKind): string {
  return ts.tokenToString(kind) ?? ts.SyntaxKind[kind];
}

function isAssignmentOp(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

export function lowerExpr(e: ts.Expression, d: number): NNode {
  tooDeep(d);
  switch (e.kind) {
    case ts.SyntaxKind.Identifier: {
      const text = (e as ts.Identifier).text;
      return id(text === 'recursive_llm' ? 'llm' : text);
    }
    case ts.SyntaxKind.PropertyAccessExpression: {
      const p = e as ts.PropertyAccessExpression;
      const obj = lowerExpr(p.expression, d + 1);
      if (p.name.text === 'log' || CONSOLE_METHODS.has(p.name.text)) {
        if (obj.k === 'id' && obj.v === 'console') return id('print');
      }
      return mk('mem', [obj], p.name.text);
    }
    case ts.SyntaxKind.CallExpression: {
      const c = e as ts.CallExpression;
      const callee = lowerExpr(c.expression, d + 1);
      if (callee.k === 'id' && callee.v === 'FINAL_VAR' && c.arguments.length === 1) {
        const a = c.arguments[0];
        if ((ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) && IDENT_RE.test(a.text)) {
          return mk('call', [id('FINAL'), id(a.text)]);
        }
      }
      return mk('call', [callee, ...c.arguments.map((a) => lowerExpr(a, d + 1))]);
    }
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      return mk('str', [], (e as ts.StringLiteral).text);
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
      return mk('num', [], (e as ts.NumericLiteral).text);
    case ts.SyntaxKind.BinaryExpression: {
      const b = e as ts.BinaryExpression;
      const op = b.operatorToken.kind;
      const l = op === ts.SyntaxKind.EqualsToken && (ts.isObjectLiteralExpression(b.left) || ts.isArrayLiteralExpression(b.left))
        ? lowerAssignmentPattern(b.left, d + 1)
        : lowerExpr(b.left, d + 1);
      const r = lowerExpr(b.right, d + 1);
      if (op === ts.SyntaxKind.CommaToken) return mk('seq', [l, r]);
      if (isAssignmentOp(op)) return mk('assign', [l, r], binaryOp(op));
      return mk('bin', [l, r], binaryOp(op));
    }
    case ts.SyntaxKind.ParenthesizedExpression:
      return lowerExpr((e as ts.ParenthesizedExpression).expression, d + 1);
    case ts.SyntaxKind.AwaitExpression:
      return mk('await', [lowerExpr((e as ts.AwaitExpression).expression, d + 1)]);
    case ts.SyntaxKind.TemplateExpression: {
      const t = e as ts.TemplateExpression;
      const c: NNode[] = [mk('tstr', [], t.head.text)];
      for (const span of t.templateSpans) {
        c.push(lowerExpr(span.expression, d + 1));
        c.push(mk('tstr', [], span.literal.text));
      }
      return mk('tpl', c);
    }
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.FunctionExpression:
      return lowerFunction(e as ts.FunctionExpression, d + 1, e.kind === ts.SyntaxKind.FunctionExpression);
    case ts.SyntaxKind.ObjectLiteralExpression:
      return lowerObject(e as ts.ObjectLiteralExpression, d);
    case ts.SyntaxKind.ArrayLiteralExpression:
      return mk(
        'arr',
        (e as ts.ArrayLiteralExpression).elements.map((el) => lowerExpr(el, d + 1)),
      );
    case ts.SyntaxKind.ElementAccessExpression: {
      const p = e as ts.ElementAccessExpression;
      const obj = lowerExpr(p.expression, d + 1);
      const arg = p.argumentExpression;
      if ((ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) && IDENT_RE.test(arg.text)) return mk('mem', [obj], arg.text);
      return mk('idx', [obj, lowerExpr(arg, d + 1)]);
    }
    case ts.SyntaxKind.PrefixUnaryExpression: {
      const p = e as ts.PrefixUnaryExpression;
      return mk('pre', [lowerExpr(p.operand, d + 1)], binaryOp(p.operator));
    }
    case ts.SyntaxKind.ConditionalExpression: {
      const c = e as ts.ConditionalExpression;
      return mk('cond', [lowerExpr(c.condition, d + 1), lowerExpr(c.whenTrue, d + 1), lowerExpr(c.whenFalse, d + 1)]);
    }
    case ts.SyntaxKind.RegularExpressionLiteral:
      return mk('re', [], (e as ts.RegularExpressionLiteral).text);
    case ts.SyntaxKind.AsExpression:
    case ts.SyntaxKind.SatisfiesExpression:
    case ts.SyntaxKind.NonNullExpression:
    case ts.SyntaxKind.TypeAssertionExpression:
    case ts.SyntaxKind.ExpressionWithTypeArguments:
      return lowerExpr((e as ts.AsExpression).expression, d + 1);
    case ts.SyntaxKind.TrueKeyword:
      return mk('bool', [], 'true');
    case ts.SyntaxKind.FalseKeyword:
      return mk('bool', [], 'false');
    case ts.SyntaxKind.NullKeyword:
      return mk('null');
    case ts.SyntaxKind.NewExpression: {
      const n = e as ts.NewExpression;
      return mk('new', [lowerExpr(n.expression, d + 1), ...(n.arguments ?? []).map((a) => lowerExpr(a, d + 1))]);
    }
    case ts.SyntaxKind.SpreadElement:
      return mk('spread', [lowerExpr((e as ts.SpreadElement).expression, d + 1)]);
    case ts.SyntaxKind.PostfixUnaryExpression: {
      const p = e as ts.PostfixUnaryExpression;
      return mk('post', [lowerExpr(p.operand, d + 1)], binaryOp(p.operator));
    }
    case ts.SyntaxKind.PrivateIdentifier:
      return id((e as ts.PrivateIdentifier).text);
    case ts.SyntaxKind.ThisKeyword:
      return mk('this');
    case ts.SyntaxKind.SuperKeyword:
      return mk('super');
    case ts.SyntaxKind.TaggedTemplateExpression: {
      const t = e as ts.TaggedTemplateExpression;
      return mk('tagged', [lowerExpr(t.tag, d + 1), lowerExpr(t.template, d + 1)]);
    }
    case ts.SyntaxKind.OmittedExpression:
      return mk('hole');
    case ts.SyntaxKind.TypeOfExpression:
      return mk('pre', [lowerExpr((e as ts.TypeOfExpression).expression, d + 1)], 'typeof');
    case ts.SyntaxKind.VoidExpression:
      return mk('pre', [lowerExpr((e as ts.VoidExpression).expression, d + 1)], 'void');
    case ts.SyntaxKind.DeleteExpression:
      return mk('pre', [lowerExpr((e as ts.DeleteExpression).expression, d + 1)], 'delete');
    case ts.SyntaxKind.YieldExpression: {
      const y = e as ts.YieldExpression;
      return mk('yield', y.expression ? [lowerExpr(y.expression, d + 1)] : [], y.asteriskToken ? '*' : undefined);
    }
    case ts.SyntaxKind.ClassExpression:
      return lowerClass(e as ts.ClassExpression, d + 1);
    default:
      return generic(e, d);
  }
}

/** `[a, b] = ...` / `({a, b} = ...)`: kept as array/object literals (targets are expressions). */
function lowerAssignmentPattern(e: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, d: number): NNode {
  return lowerExpr(e, d);
}

function lowerObject(o: ts.ObjectLiteralExpression, d: number): NNode {
  const props: NNode[] = [];
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p)) {
      const key = propKey(p.name);
      if (key !== undefined) props.push(mk('prop', [lowerExpr(p.initializer, d + 1)], key));
      else if (ts.isComputedPropertyName(p.name)) props.push(mk('cprop', [lowerExpr(p.name.expression, d + 1), lowerExpr(p.initializer, d + 1)]));
    } else if (ts.isShorthandPropertyAssignment(p)) {
      props.push(mk('prop', [id(p.name.text === 'recursive_llm' ? 'llm' : p.name.text)], p.name.text));
    } else if (ts.isSpreadAssignment(p)) {
      props.push(mk('spread', [lowerExpr(p.expression, d + 1)]));
    } else if (ts.isMethodDeclaration(p)) {
      const key = propKey(p.name);
      const fn = lowerFunction(p, d + 1, false);
      if (key !== undefined) props.push(mk('prop', [fn], key));
      else if (ts.isComputedPropertyName(p.name)) props.push(mk('cprop', [lowerExpr(p.name.expression, d + 1), fn]));
    } else if (ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) {
      props.push(mk('accessor', [lowerFunction(p, d + 1, false)], propKey(p.name) ?? ''));
    }
  }
  return mk('obj', props);
}

/** Fallback for syntax the miner has no dedicated kind for: keeps the kind name and the children. */
function generic(n: ts.Node, d: number): NNode {
  tooDeep(d);
  const c: NNode[] = [];
  n.forEachChild((ch) => {
    if (ts.isTypeNode(ch) || ts.isModifier(ch) || ts.isTypeParameterDeclaration(ch) || ts.isHeritageClause(ch)) return;
    if (ts.isToken(ch)) return;
    if (ts.isIdentifier(ch)) c.push(id(ch.text));
    else if (ts.isStatement(ch)) {
      const s = lowerStatement(ch, d + 1);
      if (s) c.push(s);
    } else if (isExpressionNode(ch)) c.push(lowerExpr(ch, d + 1));
    else c.push(generic(ch, d + 1));
  });
  return mk(`ts:${ts.SyntaxKind[n.kind]}`, c);
}

function isExpressionNode(n: ts.Node): n is ts.Expression {
  return ts.isExpression(n);
}
