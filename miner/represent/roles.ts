/**
 * The decomposition of a program described by role, not by syntax: how the input is cut, what
 * fans out to the model and how (batched, parallel, sequential, repeated), how answers are parsed,
 * how they are combined, and the strategy around the model calls (a chain of calls over earlier
 * answers, a fold that carries state, a loop that runs until the model agrees, voting). Real models
 * write the same decomposition with loops or map/reduce, helpers or inline code, `llmBatch` or
 * `Promise.all`; the roles stay the same.
 *
 * Also collected: the words of the prompts (string literals that flow into a model call's
 * arguments), which say what is asked of each piece.
 */
import ts from 'typescript';
import { calleeName, Dataflow, isModelCall, rootIdentifier, rootName } from './dataflow.js';

export interface RoleProfile {
  /** Role tokens with counts, e.g. `cut:lines`, `fan:batch`, `parse:regex`, `combine:topk`. */
  roles: Map<string, number>;
  /** Pairs of roles where the second reads what the first wrote, e.g. `cut:lines>fan:batch`. */
  flows: Map<string, number>;
  /** The literal text of the prompts: strings that flow into model-call arguments. */
  promptText: string[];
}

const ARRAY_METHODS = new Set(['map', 'filter', 'forEach', 'reduce', 'find', 'some', 'every', 'flatMap', 'findIndex', 'sort', 'entries']);
const STRING_METHODS = new Set(['split', 'match', 'matchAll', 'replace', 'replaceAll', 'search', 'substring', 'toLowerCase', 'trim', 'charCodeAt']);
const LOOP_KINDS = new Set([ts.SyntaxKind.ForStatement, ts.SyntaxKind.ForOfStatement, ts.SyntaxKind.ForInStatement, ts.SyntaxKind.WhileStatement, ts.SyntaxKind.DoStatement]);
const FN_KINDS = new Set([ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.MethodDeclaration]);

function regexText(e: ts.Expression | undefined): { source: string; flags: string } | undefined {
  if (!e) return undefined;
  if (ts.isRegularExpressionLiteral(e)) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(e.text);
    return m ? { source: m[1], flags: m[2] } : undefined;
  }
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'RegExp' && e.arguments?.[0] && ts.isStringLiteralLike(e.arguments[0])) {
    const flags = e.arguments[1] && ts.isStringLiteralLike(e.arguments[1]) ? e.arguments[1].text : '';
    return { source: e.arguments[0].text, flags };
  }
  return undefined;
}

/** How a delimiter cuts text: lines, blank-line paragraphs, header/marker lines, sentences, or another delimiter. */
function delimiterKind(arg: ts.Expression | undefined): string {
  if (!arg) return 'none';
  if (ts.isStringLiteralLike(arg)) {
    const s = arg.text;
    if (s === '\n' || s === '\r\n') return 'lines';
    if (/^\n\s*\n$/.test(s) || s === '\n\n') return 'paragraphs';
    if (s === '') return 'chars';
    if (/^[,;|\t]\s*$/.test(s)) return 'fields';
    if (/^\s*$/.test(s)) return 'words';
    if (/\n/.test(s)) return 'markers';
    return 'delimiter';
  }
  const re = regexText(arg);
  if (re) {
    const src = re.source;
    if (/^\\r\?\\n$|^\\n$|^\\r\?\\n\+?$/.test(src)) return 'lines';
    if (/\\n\\s\*\\n|\\n\{2,?\}|\\n\\n|\\n\(\\s\*\\n\)\+|\\n\[ \\t\]\*\\n/.test(src)) return 'paragraphs';
    if (/\[\.!\?\]/.test(src)) return 'sentences';
    if (src.startsWith('^') || re.flags.includes('m') || /\(\?=/.test(src) || /#|=|-{2,}|\\\*/.test(src)) return 'markers';
    if (/^\\s\+?$|^\s\+$/.test(src)) return 'words';
    if (/^\[,;|]/.test(src)) return 'fields';
    return 'regex';
  }
  return 'dynamic';
}

/** Numbers mentioned in loop steps and slice sizes: chunking by characters vs by items. */
function isArithmetic(e: ts.Expression | undefined): boolean {
  return !!e && (ts.isBinaryExpression(e) || ts.isIdentifier(e) || ts.isNumericLiteral(e));
}

export function parseProgram(code: string): ts.SourceFile {
  return ts.createSourceFile('program.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

export function describeRoles(code: string | ts.SourceFile): RoleProfile {
  const file = typeof code === 'string' ? parseProgram(code) : code;
  const flow = new Dataflow(file);
  const roles = new Map<string, number>();
  const promptText: string[] = [];
  const emitted: { role: string; node: ts.Node }[] = [];
  let current: ts.Node = file;
  /** Records a role at the current node, or at `at` (a loop or branch whose body decides relevance). */
  const emit = (role: string, at?: ts.Node): void => {
    emitted.push({ role, node: at ?? current });
  };

  const enclosing = (n: ts.Node, kinds: Set<ts.SyntaxKind>, stopAtFunction: boolean): ts.Node | undefined => {
    for (let p = n.parent; p; p = p.parent) {
      if (kinds.has(p.kind)) return p;
      if (stopAtFunction && FN_KINDS.has(p.kind)) return undefined;
    }
    return undefined;
  };
  /** The iterating context of a call: a loop statement, or a callback passed to an iterating method. */
  const ITERATING = ['.map', '.flatMap', '.forEach', '.filter'];
  /** Is a call (or a function passed by name) run under Promise.all, llmBatch or a pool helper? */
  const underParallel = (call: ts.Node): boolean => {
    for (let q: ts.Node | undefined = call.parent; q && q !== file; q = q.parent) {
      if (ts.isCallExpression(q) && ['.all', '.allSettled', 'llmBatch', 'pool', 'mapLimit', 'runPool'].some((x) => calleeName(q)?.endsWith(x))) return true;
      if (FN_KINDS.has(q.kind)) break;
    }
    return false;
  };
  /** The iterating context of a call: a loop statement, or a callback passed to an iterating method. */
  const iteration = (n: ts.Node, depth = 0): { kind: 'loop' | 'map' | 'none'; node?: ts.Node; parallel: boolean } => {
    if (depth > 8) return { kind: 'none', parallel: false };
    for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
      if (LOOP_KINDS.has(p.kind)) return { kind: 'loop', node: p, parallel: false };
      if ((ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && p.parent && ts.isCallExpression(p.parent)) {
        const name = calleeName(p.parent);
        if (name && ITERATING.includes(name)) return { kind: 'map', node: p, parallel: underParallel(p.parent) || name !== '.forEach' };
      }
      // a named helper (function declaration, or a function bound to a name): where is it used?
      const helperName = ts.isFunctionDeclaration(p)
        ? p.name?.text
        : (ts.isArrowFunction(p) || ts.isFunctionExpression(p)) && ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name)
          ? p.parent.name.text
          : undefined;
      if (helperName !== undefined) {
        // passed by name to an iterating method: xs.map(ask)
        for (const ref of references.get(helperName) ?? []) {
          const call = ref.parent;
          if (ts.isCallExpression(call) && call.arguments.some((a) => a === ref)) {
            const name = calleeName(call);
            if (name && ITERATING.includes(name)) return { kind: 'map', node: p, parallel: underParallel(call) || name !== '.forEach' };
          }
        }
        const site = callSites.get(helperName)?.[0];
        if (site) return iteration(site, depth + 1);
        return { kind: 'none', parallel: false };
      }
      if (FN_KINDS.has(p.kind)) break;
    }
    return { kind: 'none', parallel: false };
  };

  const callSites = new Map<string, ts.CallExpression[]>();
  const references = new Map<string, ts.Identifier[]>();
  const collectSites = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) {
      const list = callSites.get(n.expression.text);
      if (list) list.push(n);
      else callSites.set(n.expression.text, [n]);
    }
    if (ts.isIdentifier(n) && n.parent && ts.isCallExpression(n.parent) && n.parent.expression !== n) {
      const list = references.get(n.text);
      if (list) list.push(n);
      else references.set(n.text, [n]);
    }
    ts.forEachChild(n, collectSites);
  };
  collectSites(file);

  const promptLiterals = (e: ts.Node): void => {
    const visitLits = (n: ts.Node): void => {
      if (ts.isStringLiteralLike(n)) promptText.push(n.text);
      else if (ts.isTemplateExpression(n)) {
        promptText.push(n.head.text);
        for (const s of n.templateSpans) promptText.push(s.literal.text);
      }
      ts.forEachChild(n, visitLits);
    };
    visitLits(e);
    for (const name of flow.closure(e, 3)) for (const def of flow.defs.get(name) ?? []) if (!ts.isBlock(def)) visitLits(def);
  };

  const modelTaint = (e: ts.Node): boolean => flow.taintOfExpr(e).model;
  const inputTaint = (e: ts.Node): boolean => {
    const t = flow.taintOfExpr(e);
    return t.input && !t.model;
  };

  const visit = (n: ts.Node): void => {
    current = n;
    if (ts.isCallExpression(n)) onCall(n);
    else if (ts.isWhileStatement(n) || ts.isDoStatement(n)) {
      if (containsModelCall(n.statement)) emit(modelTaint(n.expression) ? 'loop:until-model' : /length|size/.test(n.expression.getText()) ? 'loop:reduce-levels' : 'loop:while-model');
    } else if (ts.isForStatement(n)) {
      const inc = n.incrementor?.getText() ?? '';
      if (/\+=\s*[A-Za-z_$\d]/.test(inc) && containsSliceOf(n.statement)) emit('cut:windows');
      if (containsModelCall(n.statement) && n.condition && !mentionsAny(n.condition, ['length', 'size']) && /<\s*\d+$|<\s*[A-Z_a-z]+$/.test(n.condition.getText()) && !inputTaint(n.condition)) emit('loop:repeat');
    } else if (ts.isIfStatement(n) || ts.isConditionalExpression(n)) {
      const cond = ts.isIfStatement(n) ? n.expression : n.condition;
      if (modelTaint(cond)) {
        const body = ts.isIfStatement(n) ? n.thenStatement : n.whenTrue;
        emit(containsModelCall(body) ? 'branch:model-then-model' : 'branch:on-model');
      }
    } else if (ts.isBreakStatement(n)) {
      const loop = enclosing(n, LOOP_KINDS, true);
      const guard = enclosing(n, new Set([ts.SyntaxKind.IfStatement]), true);
      if (loop && guard && ts.isIfStatement(guard) && modelTaint(guard.expression) && containsModelCall(loop)) emit('loop:until-model', loop);
    } else if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken || n.operatorToken.kind === ts.SyntaxKind.EqualsToken)) {
      const right = n.right.getText();
      if (ts.isElementAccessExpression(n.left) && /\|\|\s*0\)\s*\+\s*1|\?\?\s*0\)\s*\+\s*1/.test(right)) emit('combine:count');
      else if (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && /^1$/.test(right) && ts.isElementAccessExpression(n.left)) emit('combine:count');
    } else if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && ts.isElementAccessExpression(n.operand) && n.operator === ts.SyntaxKind.PlusPlusToken) {
      emit('combine:count');
    } else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
      const c = n.expression.text;
      if (c === 'Set' && n.arguments?.[0] && modelTaint(n.arguments[0])) emit('combine:dedupe');
      if (c === 'Map' || c === 'Set') emit(`state:${c.toLowerCase()}`);
    }
    ts.forEachChild(n, visit);
  };

  const containsCache = new Map<ts.Node, boolean>();
  const containsModelCall = (n: ts.Node): boolean => {
    const cached = containsCache.get(n);
    if (cached !== undefined) return cached;
    let found = false;
    const walk = (c: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(c) && (isModelCall(c) || (ts.isIdentifier(c.expression) && flow.functions.has(c.expression.text) && functionCallsModel(c.expression.text)))) found = true;
      else ts.forEachChild(c, walk);
    };
    walk(n);
    containsCache.set(n, found);
    return found;
  };
  const modelFns = new Map<string, boolean>();
  const functionCallsModel = (name: string): boolean => {
    const cached = modelFns.get(name);
    if (cached !== undefined) return cached;
    modelFns.set(name, false);
    const fn = flow.functions.get(name);
    const v = fn?.body ? containsModelCall(fn.body) : false;
    modelFns.set(name, v);
    return v;
  };
  const containsSliceOf = (n: ts.Node): boolean => /\.(slice|substring|substr)\(/.test(n.getText());
  const mentionsAny = (n: ts.Node, words: string[]): boolean => words.some((w) => n.getText().includes(w));

  const onModelCall = (n: ts.CallExpression, name: string): void => {
    const batch = name === 'llmBatch' || name === 'rlmBatch' || name === 'llm_query_batched';
    const recursive = name.startsWith('rlm');
    if (name.startsWith('lib.')) emit('call:library');
    if (recursive) emit('fan:recursive');
    const it = iteration(n);
    if (batch) emit('fan:batch');
    else if (it.kind === 'map') emit(it.parallel ? 'fan:parallel' : 'fan:sequential');
    else if (it.kind === 'loop') {
      emit('fan:sequential');
      // a fold: the prompt reads something the same loop assigns from model output
      const loop = it.node;
      if (loop) {
        const reads = flow.reads(n);
        if ([...reads].some((r) => flow.assignedFromModelWithin(r, loop))) emit('strategy:fold-state');
      }
    } else emit('fan:single');
    const args = n.arguments;
    const query = args[0];
    const ctx = args[1];
    if (batch && query) {
      // items: {query, context} objects or strings
      if (modelTaint(query)) emit('strategy:model-over-model');
      else if (inputTaint(query)) emit('ctx:input');
    } else {
      if (ctx && modelTaint(ctx)) emit('strategy:model-over-model');
      else if (query && modelTaint(query)) emit('strategy:model-over-model');
      if (ctx && inputTaint(ctx)) emit('ctx:input');
      else if (!ctx && query && inputTaint(query)) emit('ctx:in-query');
    }
    for (const a of args) promptLiterals(a);
  };

  const onCall = (n: ts.CallExpression): void => {
    const name = calleeName(n);
    if (name === undefined) return;
    if (isModelCall(n)) return onModelCall(n, name);
    if (ts.isIdentifier(n.expression) && flow.functions.has(n.expression.text) && functionCallsModel(n.expression.text)) emit('helper:model');
    if (name === 'FINAL' || name === 'FINAL_VAR') {
      const a = n.arguments[0];
      if (!a) return;
      if (ts.isStringLiteralLike(a) || (ts.isTemplateExpression(a) && flow.reads(a).size === 0)) emit('answer:typed');
      else if (modelTaint(a)) emit('answer:model');
      else emit('answer:computed');
      return;
    }
    if (name === 'JSON.parse' || (name === '.parse' && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === 'JSON')) {
      const a = n.arguments[0];
      if (a && modelTaint(a)) emit('parse:json');
      else if (a && inputTaint(a)) emit('cut:json');
      return;
    }
    if (name === 'parseInt' || name === 'parseFloat' || name === 'Number') {
      if (n.arguments[0] && modelTaint(n.arguments[0])) emit('parse:number');
      return;
    }
    if (!ts.isPropertyAccessExpression(n.expression)) return;
    const method = n.expression.name.text;
    const recv = n.expression.expression;
    const recvName = rootName(recv);
    if (recvName === 'Object' && ['keys', 'entries', 'values'].includes(method)) {
      if (n.arguments[0] && inputTaint(n.arguments[0])) emit('cut:json-keys');
      else if (n.arguments[0] && modelTaint(n.arguments[0])) emit('combine:group');
      return;
    }
    if (recvName === 'Math' && ['max', 'min'].includes(method)) {
      if (n.arguments.some((a) => modelTaint(a))) emit('combine:extreme');
      return;
    }
    if (recvName === 'Promise') return;
    if (ts.isIdentifier(recv) && recv.text === 'context') {
      if (ARRAY_METHODS.has(method)) emit('input:records');
      else if (STRING_METHODS.has(method)) emit('input:text');
    }
    const onInput = inputTaint(recv);
    const onModel = modelTaint(recv);
    if (!onInput && !onModel) return;
    const side = onModel ? 'model' : 'input';
    switch (method) {
      case 'split':
        emit(onModel ? `parse:split-${delimiterKind(n.arguments[0])}` : `cut:${delimiterKind(n.arguments[0])}`);
        break;
      case 'match':
      case 'matchAll':
      case 'exec':
      case 'replace':
      case 'replaceAll':
        emit(onModel ? 'parse:regex' : method.startsWith('replace') ? 'clean:input' : 'extract:regex');
        break;
      case 'test':
        // regex.test(x): the receiver is the regex; look at the argument
        if (n.arguments[0] && modelTaint(n.arguments[0])) emit('parse:regex');
        else if (n.arguments[0] && inputTaint(n.arguments[0])) emit('extract:regex');
        break;
      case 'slice':
      case 'substring':
      case 'substr':
        if (onModel && n.arguments.length >= 1 && isTopK(n)) emit('combine:topk');
        else if (!onModel && isArithmetic(n.arguments[1]) && enclosing(n, LOOP_KINDS, false)) emit('cut:windows');
        else if (!onModel) emit('cut:peek');
        break;
      case 'sort':
      case 'toSorted':
        emit(`combine:sort-${side}`);
        break;
      case 'filter':
        emit(`${onModel ? 'combine' : 'cut'}:filter`);
        break;
      case 'reduce':
        emit(`${onModel ? 'combine' : 'cut'}:reduce`);
        break;
      case 'join':
        if (onModel) emit('combine:join');
        break;
      case 'flat':
      case 'flatMap':
        if (onModel) emit('combine:flatten');
        break;
      case 'includes':
      case 'startsWith':
      case 'endsWith':
      case 'indexOf':
        if (onModel) emit('parse:contains');
        break;
      case 'toLowerCase':
      case 'toUpperCase':
        if (onModel) emit('parse:normalize');
        break;
      case 'find':
      case 'findIndex':
      case 'some':
      case 'every':
        emit(`${onModel ? 'combine' : 'cut'}:search`);
        break;
      case 'map':
        if (!onModel && !containsModelCall(n)) emit('cut:map');
        break;
      default:
        break;
    }
  };

  /** `sorted.slice(0, k)` after a sort: top-k. */
  const isTopK = (n: ts.CallExpression): boolean => {
    const a0 = n.arguments[0];
    if (!(a0 && ts.isNumericLiteral(a0) && a0.text === '0')) return n.arguments.length === 1 && ts.isPrefixUnaryExpression(n.arguments[0]);
    const recvText = (n.expression as ts.PropertyAccessExpression).expression.getText();
    if (/\.sort\(|\.toSorted\(/.test(recvText)) return true;
    const id = rootIdentifier((n.expression as ts.PropertyAccessExpression).expression);
    return !!id && (flow.defs.get(flow.key(id)) ?? []).some((d) => /\.sort\(|\.toSorted\(/.test(d.getText()));
  };

  visit(file);
  const relevant = relevance(file, flow);
  const kept = relevant ? emitted.filter((e) => relevant(e.node)) : emitted;
  const used = kept.length > 0 ? kept : emitted;
  for (const { role } of used) {
    roles.set(role, (roles.get(role) ?? 0) + 1);
  }
  return { roles, promptText, flows: roleFlows(used, flow) };
}

/** The nearest enclosing statement (or the node itself when it is one). */
function statementOf(n: ts.Node): ts.Node {
  for (let p: ts.Node | undefined = n; p; p = p.parent) {
    if (p.parent && (ts.isBlock(p.parent) || ts.isSourceFile(p.parent) || ts.isCaseClause(p.parent) || ts.isDefaultClause(p.parent))) return p;
    if (ts.isArrowFunction(p) && !ts.isBlock(p.body) && p.body === n) return p;
  }
  return n;
}

const PRINTS = new Set(['print', 'console.log']);

/**
 * Which parts of the program the answer depends on: a backward slice by name over the dataflow
 * graph, from `FINAL`'s argument — or, when the model typed the answer as a literal after reading
 * printed output, from what the program printed. Returns a predicate over nodes (true when the
 * node's statement writes a name the answer depends on, or is the answer itself), or undefined
 * when the program never answers.
 */
export function relevance(file: ts.SourceFile, flow: Dataflow): ((n: ts.Node) => boolean) | undefined {
  const finals: ts.CallExpression[] = [];
  const prints: ts.CallExpression[] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const name = ts.isIdentifier(n.expression) ? n.expression.text : ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) ? `${n.expression.expression.text}.${n.expression.name.text}` : undefined;
      if (name === 'FINAL' || name === 'FINAL_VAR') finals.push(n);
      else if (name && PRINTS.has(name)) prints.push(n);
    }
    ts.forEachChild(n, walk);
  };
  walk(file);
  if (finals.length === 0) return undefined;
  const seeds: ts.Node[] = [];
  for (const f of finals) {
    const a = f.arguments[0];
    if (!a) continue;
    const name = ts.isIdentifier(f.expression) ? f.expression.text : '';
    if (name === 'FINAL_VAR' && ts.isStringLiteralLike(a)) {
      seeds.push(ts.factory.createIdentifier(a.text));
      continue;
    }
    seeds.push(a);
  }
  const typed = finals.every((f) => {
    const a = f.arguments[0];
    return !a || ts.isStringLiteralLike(a) || ((ts.isTemplateExpression(a) || ts.isBinaryExpression(a)) && flow.reads(a).size === 0);
  });
  // the answer was typed after reading output: what was printed is what it depends on
  if (typed) for (const p of prints) for (const a of p.arguments) if (flow.taintOfExpr(a).model || flow.taintOfExpr(a).input) seeds.push(a);
  const names = new Set<string>();
  for (const s of seeds) for (const r of flow.closure(s, 64)) names.add(r);
  const spans: { pos: number; end: number }[] = [];
  for (const name of names) for (const d of flow.defs.get(name) ?? []) spans.push({ pos: d.pos, end: d.end });
  const answerSpans = [...finals, ...(typed ? prints : [])].map((c) => ({ pos: c.pos, end: c.end }));
  const all = [...spans, ...answerSpans].sort((x, y) => x.pos - y.pos);
  /** Does some span lie inside `outer`? (spans sorted by start: only those starting inside it) */
  const withinCache = new Map<ts.Node, boolean>();
  const within = (outer: ts.Node): boolean => {
    const cached = withinCache.get(outer);
    if (cached !== undefined) return cached;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid].pos < outer.pos) lo = mid + 1;
      else hi = mid;
    }
    let found = false;
    for (let i = lo; i < all.length && all[i].pos <= outer.end; i++) {
      if (all[i].end <= outer.end) {
        found = true;
        break;
      }
    }
    withinCache.set(outer, found);
    return found;
  };
  return (n: ts.Node): boolean => within(statementOf(n)) || within(n) || spans.some((sp) => n.pos >= sp.pos && n.end <= sp.end);
}

/**
 * Role-to-role dataflow: for each pair of role sites where the second reads a name whose
 * definition contains the first (directly, or through one more name), the token `first>second`.
 */
function roleFlows(used: { role: string; node: ts.Node }[], flow: Dataflow): Map<string, number> {
  const defSpans: { pos: number; end: number; name: string }[] = [];
  for (const [name, defs] of flow.defs) for (const d of defs) defSpans.push({ pos: d.pos, end: d.end, name });
  const writesOf = new Map<ts.Node, Set<string>>();
  const readsOf = new Map<ts.Node, Set<string>>();
  const writes = used.map(({ node }) => {
    let out = writesOf.get(node);
    if (!out) {
      out = new Set<string>();
      for (const d of defSpans) if (node.pos >= d.pos && node.end <= d.end) out.add(d.name);
      writesOf.set(node, out);
    }
    return out;
  });
  const reads = used.map(({ node }) => {
    let out = readsOf.get(node);
    if (!out) readsOf.set(node, (out = flow.closure(node, 2)));
    return out;
  });
  const flows = new Map<string, number>();
  for (let b = 0; b < used.length; b++) {
    const seen = new Set<string>();
    for (let a = 0; a < used.length; a++) {
      if (a === b || used[a].role === used[b].role) continue;
      let linked = false;
      for (const w of writes[a]) if (reads[b].has(w)) linked = true;
      if (!linked) continue;
      const token = `${used[a].role}>${used[b].role}`;
      if (seen.has(token)) continue;
      seen.add(token);
      flows.set(token, (flows.get(token) ?? 0) + 1);
    }
  }
  return flows;
}
