/**
 * Instructions built by concatenation (`"Where is " + owner + " headquartered? Reply with the city."`)
 * written as the template literals they equal (`` `Where is ${owner} headquartered? …` ``), in every
 * member alike, so that an instruction built around a computed value is one parameter with a
 * `{placeholder}` (instruction-template.ts) however the member wrote it, not one option per piece of
 * text (`text`, `otherText`).
 *
 * Only where a value sits between two texts (text with a value before or after it reads well as
 * `instruction + summary`), and where the text becomes an instruction: the query of a model call,
 * an argument a local function uses as one, or a name that is used as one. And only where the two
 * are equal: `+` is
 * string concatenation from its first or second operand on when one of those is text (`a + b + "s"`
 * would add two numbers first, and is left alone).
 */
import { collectFunctions, patternNames } from '../front/scope.js';
import { clone, mk, type NNode } from '../front/tree.js';
import { isPromptPosition, usedAsPrompt } from './roles.js';

const isConcat = (n: NNode): boolean => n.k === 'bin' && n.v === '+';
const isText = (n: NNode): boolean => n.k === 'str' || n.k === 'tpl';

/** The operands of a left-nested `a + b + c` chain, in order. */
function operands(n: NNode): NNode[] {
  return isConcat(n) ? [...operands(n.c[0]), n.c[1]] : [n];
}

/** The template literal a concatenation equals, or undefined when it may not be one (see the module doc) or has no value between two texts. */
export function asTemplate(chain: NNode): NNode | undefined {
  const parts = operands(chain);
  if (parts.length < 2 || !(isText(parts[0]) || isText(parts[1]))) return undefined;
  // a value between two texts; text with a value only before or after it reads well as `+` (`instruction + summary`)
  const texts = parts.flatMap((p, i) => (p.k === 'str' ? [i] : []));
  const values = parts.flatMap((p, i) => (p.k === 'str' ? [] : [i]));
  if (!values.some((v) => texts.some((t) => t < v) && texts.some((t) => t > v))) return undefined;
  const c: NNode[] = [];
  let text = '';
  for (const p of parts) {
    if (p.k === 'str') text += p.v ?? '';
    else if (p.k === 'tpl') {
      // `a` + `x${y}z`: its text parts join the running text, its values stay where they are
      text += p.c[0].v ?? '';
      for (let i = 1; i < p.c.length - 1; i += 2) {
        c.push(mk('tstr', [], text), clone(p.c[i]));
        text = p.c[i + 1].v ?? '';
      }
      if (p.c.length > 1) text = p.c[p.c.length - 1].v ?? '';
    } else {
      c.push(mk('tstr', [], text), clone(p));
      text = '';
    }
  }
  c.push(mk('tstr', [], text));
  return mk('tpl', c);
}

/** The tree with every concatenation that becomes an instruction written as a template literal. */
export function concatPromptsToTemplates(tree: NNode): NNode {
  const fns = collectFunctions([tree]);
  const promptNames = new Map<string, boolean>();
  const isPromptName = (name: string): boolean => {
    if (!promptNames.has(name)) promptNames.set(name, usedAsPrompt(tree, name));
    return promptNames.get(name)!;
  };
  /** Whether a value in child `index` of `parent` ends up as an instruction. */
  const becomesPrompt = (parent: NNode, index: number, grand: NNode | undefined): boolean => {
    if (isPromptPosition(parent, index, grand)) return true;
    if ((parent.k === 'decl' || (parent.k === 'assign' && parent.v === '=')) && index === 1 && parent.c[0]?.k === 'id' && parent.c[0].v) return isPromptName(parent.c[0].v);
    if (parent.k === 'call' && index >= 1 && parent.c[0].k === 'id' && parent.c[0].v) {
      const fn = fns.get(parent.c[0].v);
      const param = fn?.c[1]?.c[index - 1];
      const name = param ? patternNames(param)[0] : undefined;
      return fn !== undefined && name !== undefined && usedAsPrompt(fn, name);
    }
    return false;
  };
  const rewrite = (n: NNode, parent: NNode | undefined, index: number, grand: NNode | undefined): NNode => {
    if (isConcat(n) && parent && becomesPrompt(parent, index, grand)) {
      const tpl = asTemplate(n);
      if (tpl) return mk('tpl', tpl.c.map((ch, i) => (i % 2 === 1 ? rewrite(ch, tpl, i, parent) : ch)));
    }
    const c = n.c.map((ch, i) => rewrite(ch, n, i, parent));
    return c.every((ch, i) => ch === n.c[i]) ? n : { ...n, c };
  };
  return rewrite(tree, undefined, 0, undefined);
}
