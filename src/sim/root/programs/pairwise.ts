/** Root programs for "all pairs sharing two attributes": extract people per batch, join in code. */
import type { PairField } from '../intent.js';
import { callEach, finishChecked, lit, packLinesFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

export function pairwiseProgram(fields: PairField[], { plan, names, rng }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const chunks = names.get('chunks');
  const people = names.get('people');
  const groups = names.get('groups');
  const pairs = names.get('pairs');
  const fn = names.get('packLines');
  const pipe = plan.variant % 2 === 1;
  const prompt = pipe
    ? 'List each person described in the text below, one per line as: name | city | hobby | birth year. Skip anything that is not a person profile.'
    : rng.pick([
        'Extract every person described below as a JSON array of objects with keys name, city, hobby, year (birth year). Reply with JSON only.',
        'Extract each person profile in this text. Return a JSON array like [{"name": "...", "city": "...", "hobby": "...", "year": 1980}].',
      ]);
  const lines: string[] = [packLinesFn(fn)];
  if (plan.variant % 3 === 0) {
    const all = names.get('lines');
    lines.push(`const ${all} = context.split('\\n').filter((line) => /born in \\d{4}/i.test(line));`);
    lines.push(`print(${all}.length, 'profile lines');`);
    lines.push(`const ${chunks} = ${fn}(${all}.join('\\n'), ${plan.budget});`);
  } else {
    lines.push(`const ${chunks} = ${fn}(context, ${plan.budget});`);
  }
  lines.push(`print(${chunks}.length, 'batches');`);
  lines.push(callEach(plan.call, results, chunks, lit(prompt)));
  lines.push(`const ${people} = new Map();`);
  if (pipe) {
    lines.push(`for (const r of ${results}) {
  for (const line of r.split('\\n')) {
    const f = line.split('|').map((s) => s.trim());
    if (f.length >= 4 && f[0] && !${people}.has(f[0])) ${people}.set(f[0], { name: f[0], city: f[1], hobby: f[2], year: f[3] });
  }
}`);
  } else {
    lines.push(`for (const r of ${results}) {
  let arr = [];
  try {
    arr = JSON.parse(r.slice(r.indexOf('['), r.lastIndexOf(']') + 1));
  } catch (e) {
    print('unparsable reply:', r.slice(0, 80));
  }
  for (const p of arr) {
    if (p && p.name && !${people}.has(p.name)) ${people}.set(p.name, p);
  }
}`);
  }
  const key = fields.map((f) => `String(p.${f}).toLowerCase()`).join(" + '|' + ");
  lines.push(`print(${people}.size, 'people');
const ${groups} = new Map();
for (const p of ${people}.values()) {
  const key = ${key};
  if (!${groups}.has(key)) ${groups}.set(key, []);
  ${groups}.get(key).push(p.name);
}
const ${pairs} = [];
for (const list of ${groups}.values()) {
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) ${pairs}.push(list[i] + ' - ' + list[j]);
  }
}
print(${pairs}.length, 'pairs');
const ${answer} = ${pairs}.join('\\n');`);
  lines.push(finishChecked(plan.finish, answer, `${people}.size < 0.95 * context.split('\\n').filter((line) => /born in \\d{4}/i.test(line)).length`, 'Some profiles were not extracted'));
  return { code: lines.join('\n'), answerVar: answer };
}
