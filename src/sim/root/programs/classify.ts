/** Root programs for "count tickets per label / find the top label": line batches, then sum. */
import { callEach, finishChecked, lit, packLinesFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

export function classifyProgram(labels: string[], mode: 'counts' | 'top', { plan, names, rng }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const chunks = names.get('chunks');
  const totals = names.get('totals');
  const list = labels.join(', ');
  const perLine = plan.variant % 2 === 1;
  const prompt = perLine
    ? rng.pick([
        `Label each ticket below with exactly one of: ${list}. Reply with one label per line, in the same order.`,
        `For every line below, give its category (${list}). One label per line, nothing else.`,
      ])
    : rng.pick([
        `Classify each ticket below as one of: ${list}. Reply with the number of tickets per category as a JSON object.`,
        `Count how many of these tickets are about each of: ${list}. Answer as JSON mapping category to count.`,
      ]);
  const lines: string[] = [];
  if (plan.variant % 3 === 2) {
    const all = names.get('lines');
    lines.push(
      `const ${all} = context.split('\\n');`,
      `const perBatch = Math.max(1, Math.floor(${plan.budget} / (context.length / ${all}.length) * 0.9));`,
      `const ${chunks} = [];`,
      `for (let i = 0; i < ${all}.length; i += perBatch) ${chunks}.push(${all}.slice(i, i + perBatch).join('\\n'));`,
    );
  } else {
    const fn = names.get('packLines');
    lines.push(packLinesFn(fn), `const ${chunks} = ${fn}(context, ${plan.budget});`);
  }
  lines.push(`print(${chunks}.length, 'batches');`);
  lines.push(callEach(plan.call, results, chunks, lit(prompt)));
  lines.push(`const ${totals} = ${JSON.stringify(Object.fromEntries(labels.map((l) => [l, 0])))};`);
  if (perLine) {
    lines.push(`for (const r of ${results}) {
  for (const line of r.split('\\n')) {
    const label = line.trim().toLowerCase();
    if (label in ${totals}) ${totals}[label] += 1;
  }
}`);
  } else {
    lines.push(`for (const r of ${results}) {
  let obj = {};
  try {
    obj = JSON.parse(r.slice(r.indexOf('{'), r.lastIndexOf('}') + 1));
  } catch (e) {
    print('could not parse reply:', r.slice(0, 100));
  }
  for (const k of Object.keys(${totals})) ${totals}[k] += Number(obj[k]) || 0;
}`);
  }
  lines.push(`print(${totals});`);
  if (mode === 'top') lines.push(`const ${answer} = Object.entries(${totals}).sort((a, b) => b[1] - a[1])[0][0];`);
  else lines.push(`const ${answer} = JSON.stringify(${totals});`);
  const counted = `Object.values(${totals}).reduce((a, b) => a + b, 0)`;
  lines.push(`print('classified', ${counted}, 'of', context.split('\\n').length - 1, 'lines');`);
  lines.push(finishChecked(plan.finish, answer, `${counted} < 0.97 * (context.split('\\n').length - 1)`, 'Some tickets were not counted'));
  return { code: lines.join('\n'), answerVar: answer };
}
