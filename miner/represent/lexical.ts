/**
 * Words for the lexical views of a program: an English tokenizer for prompts, literals, names and
 * the user's query (lower case, camelCase and snake_case split, stop words dropped, a light
 * plural/tense folding), and the code's own vocabulary — the string literals it writes, the names
 * it declares and the functions and methods it calls.
 */
import ts from 'typescript';

/** Function words and the filler of every prompt; carry nothing about the task. */
const STOP = new Set(
  (
    'the a an and or of to in on for with by is are be as at from this that these those it its into than then there their them they ' +
    'you your each every any all one per not no yes if else when what which who how do does did so such can could should would will ' +
    'may might must also other more most less very only just here out our we us was were has have had been being about over under ' +
    'use using given give please make sure like get let var const new true false null undefined return await async function'
  ).split(' '),
);

/** A light suffix folding: plurals and common verb endings, so "scores", "scored" and "score" meet. */
export function fold(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ing') && word.length > 6) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) return word.slice(0, -1);
  return word;
}

/** Content words of a text, folded. */
export function words(text: string): string[] {
  const spaced = text.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_$]+/g, ' ');
  const out: string[] = [];
  for (const w of spaced.toLowerCase().match(/[a-z]{3,}/g) ?? []) if (!STOP.has(w)) out.push(fold(w));
  return out;
}

export interface CodeVocabulary {
  /** Words of every string literal and template part. */
  literals: string[];
  /** Words of the names the program declares (variables, functions, parameters, object keys). */
  identifiers: string[];
  /** The functions and methods it calls (`llmBatch`, `.sort`, `JSON.parse`). */
  api: string[];
}

export function codeVocabulary(file: ts.SourceFile): CodeVocabulary {
  const literals: string[] = [];
  const identifiers: string[] = [];
  const api: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteralLike(n)) literals.push(...words(n.text));
    else if (ts.isTemplateExpression(n)) {
      literals.push(...words(n.head.text));
      for (const span of n.templateSpans) literals.push(...words(span.literal.text));
    } else if (
      (ts.isVariableDeclaration(n) || ts.isFunctionDeclaration(n) || ts.isParameter(n) || ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n) || ts.isBindingElement(n)) &&
      n.name &&
      ts.isIdentifier(n.name)
    ) {
      identifiers.push(...words(n.name.text));
    }
    if (ts.isCallExpression(n)) {
      const e = n.expression;
      if (ts.isIdentifier(e)) api.push(e.text);
      else if (ts.isPropertyAccessExpression(e)) api.push(ts.isIdentifier(e.expression) && /^[A-Z]/.test(e.expression.text) ? `${e.expression.text}.${e.name.text}` : `.${e.name.text}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(file);
  return { literals, identifiers, api };
}
