/**
 * The TypeScript way of turning one REPL step into a script (src/sandbox/transform.ts takes it for
 * TypeScript, and for anything the plain-JavaScript path cannot parse, so syntax errors are
 * TypeScript's): loaded only when a step needs it, since importing the compiler costs ~0.6 s.
 * - TypeScript is transpiled;
 * - top-level `const`/`let`/`var`/`class` declarations become assignments to `globalThis`, and
 *   top-level functions are published on `globalThis`, so the next step sees them;
 * - the body is wrapped in an async function, so top-level `await` works.
 */
import ts from 'typescript';
import { StepSyntaxError, type TransformedStep, wrapAsync } from './step-script.js';

const G = () => ts.factory.createIdentifier('globalThis');
const globalTarget = (name: string) => ts.factory.createPropertyAccessExpression(G(), name);

/** Converts a binding pattern (`{a, b: [c]}`) into an assignment pattern whose targets are globals. */
function toAssignmentTarget(name: ts.BindingName): ts.Expression {
  const f = ts.factory;
  if (ts.isIdentifier(name)) return globalTarget(name.text);
  if (ts.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((el) => {
        const target = toAssignmentTarget(el.name);
        if (el.dotDotDotToken) return f.createSpreadAssignment(target);
        const withDefault = el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
        const key = el.propertyName ?? (ts.isIdentifier(el.name) ? f.createIdentifier(el.name.text) : undefined);
        if (!key) throw new StepSyntaxError('A destructuring element without a property name');
        return f.createPropertyAssignment(key, withDefault);
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = toAssignmentTarget(el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, el.initializer) : target;
    }),
  );
}

function hoistDeclarations(context: ts.TransformationContext): ts.Transformer<ts.SourceFile> {
  const f = context.factory;
  return (sf) => {
    const published: ts.Statement[] = [];
    const statements: ts.Statement[] = [];
    for (const stmt of sf.statements) {
      if (ts.isImportDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt) || ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) {
        throw new StepSyntaxError('import/export are not available in the sandbox: everything you can use is already in scope.');
      }
      if (ts.isVariableStatement(stmt) && !stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) {
        for (const decl of stmt.declarationList.declarations) {
          const target = toAssignmentTarget(decl.name);
          const value = decl.initializer ?? f.createVoidZero();
          const assign = f.createBinaryExpression(target, ts.SyntaxKind.EqualsToken, value);
          statements.push(
            ts.setTextRange(f.createExpressionStatement(ts.isIdentifier(decl.name) ? assign : f.createParenthesizedExpression(assign)), decl),
          );
        }
        continue;
      }
      if (ts.isClassDeclaration(stmt) && stmt.name) {
        const expr = f.createClassExpression(
          stmt.modifiers?.filter((m) => ts.isDecorator(m)),
          stmt.name,
          stmt.typeParameters,
          stmt.heritageClauses,
          stmt.members,
        );
        statements.push(ts.setTextRange(f.createExpressionStatement(f.createBinaryExpression(globalTarget(stmt.name.text), ts.SyntaxKind.EqualsToken, expr)), stmt));
        continue;
      }
      if (ts.isFunctionDeclaration(stmt) && stmt.name && stmt.body) {
        // Function declarations are hoisted: publish them before anything else runs.
        published.push(
          f.createExpressionStatement(f.createBinaryExpression(globalTarget(stmt.name.text), ts.SyntaxKind.EqualsToken, f.createIdentifier(stmt.name.text))),
        );
      }
      statements.push(stmt);
    }
    return f.updateSourceFile(sf, [...published, ...statements]);
  };
}

/** Node kinds that exist only in TypeScript: code with any of them needs the full transpiler. */
function hasTypeScriptSyntax(sf: ts.SourceFile): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isTypeNode(n) ||
      ts.isInterfaceDeclaration(n) ||
      ts.isTypeAliasDeclaration(n) ||
      ts.isEnumDeclaration(n) ||
      ts.isModuleDeclaration(n) ||
      ts.isAsExpression(n) ||
      ts.isSatisfiesExpression(n) ||
      ts.isNonNullExpression(n) ||
      ts.isTypeAssertionExpression(n) ||
      ts.isDecorator(n) ||
      (ts.isParameter(n) && (n.questionToken !== undefined || n.modifiers !== undefined)) ||
      ts.isImportEqualsDeclaration(n) ||
      (ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword || m.kind === ts.SyntaxKind.AbstractKeyword || m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.PublicKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.ReadonlyKeyword))
    ) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

const printer = ts.createPrinter({ removeComments: false });

/**
 * Plain JavaScript without syntax errors (the common case) skips the transpiler: parse, hoist,
 * print — about a tenth of the cost. Anything else takes the full transpileModule path, which
 * also produces the syntax error messages.
 */
function fastPath(code: string): string | undefined {
  const sf = ts.createSourceFile('step.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const parseDiagnostics = (sf as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics;
  if (!parseDiagnostics || parseDiagnostics.length > 0 || hasTypeScriptSyntax(sf)) return undefined;
  const result = ts.transform(sf, [hoistDeclarations]);
  try {
    return printer.printFile(result.transformed[0]);
  } finally {
    result.dispose();
  }
}

export function transformTypeScriptStep(code: string): TransformedStep {
  try {
    const fast = fastPath(code);
    if (fast !== undefined) return { script: wrapAsync(fast) };
  } catch (err) {
    if (err instanceof StepSyntaxError) throw err;
    // anything unexpected: the full transpiler below decides
  }
  const diagnostics: ts.Diagnostic[] = [];
  let out: ts.TranspileOutput;
  try {
    out = ts.transpileModule(code, {
      fileName: 'step.ts',
      reportDiagnostics: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleDetection: ts.ModuleDetectionKind.Force,
        removeComments: false,
        sourceMap: false,
        verbatimModuleSyntax: false,
      },
      transformers: { before: [hoistDeclarations] },
    });
  } catch (err) {
    if (err instanceof StepSyntaxError) throw err;
    throw new StepSyntaxError(`Could not compile the code: ${(err as Error).message}`);
  }
  diagnostics.push(...(out.diagnostics ?? []));
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const d = errors[0];
    let where = '';
    if (d.file && d.start !== undefined) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      where = ` (line ${line + 1}, column ${character + 1})`;
    }
    throw new StepSyntaxError(`${ts.flattenDiagnosticMessageText(d.messageText, '\n')}${where}`);
  }
  const js = out.outputText.replace(/^export \{\};\s*$/m, '').replace(/\n\/\/# sourceMappingURL=.*$/, '');
  return { script: wrapAsync(js) };
}
