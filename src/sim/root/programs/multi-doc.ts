/** Root programs for one- and two-hop questions over documents: filter or scan, hop by hop. */
import type { QuestionKind } from '../intent.js';
import { callEach, finishChecked, indent, lit, packUnitsFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

const ACQUIRER = [(t: string) => `Which company acquired ${t}?`, (t: string) => `Who acquired ${t}? Give the company name only.`];
const FOUNDED = [(c: string) => `In what year was ${c} founded?`, (c: string) => `When was ${c} founded? Reply with the year.`];
const HQ = [(c: string) => `In which city is ${c} headquartered?`, (c: string) => `Where is ${c} headquartered? Reply with the city.`];

/** A JS expression for a question about a literal name, or about the variable `v`. */
function question(forms: Array<(x: string) => string>, wording: number, name: string | undefined, v = ''): string {
  const f = forms[wording % forms.length];
  if (name !== undefined) return lit(f(name));
  const [a, b] = f('\u0000').split('\u0000');
  return `${lit(a)} + ${v} + ${lit(b)}`;
}

export function multiDocProgram(kind: QuestionKind, entity: string, { plan, names, rng }: ProgramInput): Program {
  const answer = names.get('answer');
  const units = names.get('units');
  const pack = names.get('packUnits');
  const ask = names.get('ask');
  const hop = names.get('hop');
  const filter = plan.variant % 3 !== 2;
  const noneNote = rng.pick([' If the text does not say, reply NONE.', ' Reply NONE if these documents do not say.']);
  const lines: string[] = [
    `const ${units} = context.split(/\\n(?=### Document \\d+)/);`,
    `print(${units}.length, 'documents');`,
    packUnitsFn(pack, plan.variant),
    `async function ${ask}(question, mention) {`,
    filter
      ? `  let pool = ${units}.filter((d) => d.includes(mention));
  if (pool.length === 0) pool = ${units};`
      : `  const pool = ${units};`,
    `  const groups = ${pack}(pool, ${plan.budget});`,
    indent(callEach(plan.call, 'replies', 'groups', `question + ${lit(noneNote)}`), 2),
    `  const good = replies.map((r) => r.trim()).filter((r) => r && !/^none\\b|do(es)? not say|not mentioned/i.test(r));`,
    `  return good.length > 0 ? good[0] : 'NONE';`,
    `}`,
  ];
  const attrForms = kind === 'founded' || kind === 'acquirer-founded' ? FOUNDED : HQ;
  if (kind === 'founded' || kind === 'hq') {
    lines.push(`const ${answer} = await ${ask}(${question(attrForms, plan.wording, entity)}, ${lit(entity)});`);
  } else if (kind === 'acquirer') {
    lines.push(`const ${answer} = await ${ask}(${question(ACQUIRER, plan.wording, entity)}, ${lit(entity)});`);
  } else {
    lines.push(`const ${hop} = await ${ask}(${question(ACQUIRER, plan.wording, entity)}, ${lit(entity)});`);
    lines.push(`print('acquired by:', ${hop});`);
    lines.push(`const ${answer} = ${hop} === 'NONE' ? 'NONE' : await ${ask}(${question(attrForms, plan.wording, undefined, hop)}, ${hop});`);
  }
  lines.push(`print(${answer});`);
  lines.push(finishChecked(plan.finish, answer, `${answer} === 'NONE'`, 'The documents did not give an answer'));
  return { code: lines.join('\n'), answerVar: answer };
}
