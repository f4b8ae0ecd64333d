/** Root programs for "summarize the report": map over sections or chunks, then reduce. */
import { callEach, charChunks, finish, lit, packUnitsFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

const MAP = [
  'Summarize this part of the report in a few sentences. Keep every key finding with its exact numbers.',
  'Write a short summary of this section, including all key findings and their figures.',
];
const REDUCE = 'Combine these partial summaries into one summary. Keep every key finding with its exact numbers.';

export function summaryProgram({ plan, names, peek, rng }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const chunks = names.get('chunks');
  const partials = names.get('partials');
  const pack = names.get('packUnits');
  const lines: string[] = [];
  const bySection = peek.sections && plan.variant % 3 !== 0;
  lines.push(packUnitsFn(pack, plan.variant));
  if (bySection) {
    const units = names.get('units');
    lines.push(`const ${units} = context.split(/\\n(?=## )/).flatMap((s) => (s.length <= ${plan.budget} ? [s] : s.split('\\n\\n')));`, `const ${chunks} = ${pack}(${units}, ${plan.budget});`, `print(${units}.length, 'sections in', ${chunks}.length, 'groups');`);
  } else {
    lines.push(charChunks(chunks, names.get('size'), plan.budget, rng.pick([200, 400]), plan.variant));
  }
  lines.push(callEach(plan.call, results, chunks, lit(MAP[plan.wording % MAP.length])));
  lines.push(`const ${partials} = ${results}.map((r) => r.trim()).filter((r) => r && !/no key findings/i.test(r));`);
  lines.push(`print(${partials}.length, 'parts with findings');`);
  if (plan.variant % 2 === 0) {
    lines.push(`const ${answer} = ${partials}.join('\\n').length <= ${plan.budget}
  ? (await llm(${lit(REDUCE)}, ${partials}.join('\\n'))).trim()
  : (await llmBatch(${pack}(${partials}, ${plan.budget}).map((g) => ({ query: ${lit(REDUCE)}, context: g })))).join('\\n');`);
  } else {
    lines.push(`const ${answer} = ${partials}.join('\\n');`);
  }
  lines.push(finish(plan.finish, answer));
  return { code: lines.join('\n'), answerVar: answer };
}
