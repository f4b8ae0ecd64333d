/** Root programs for "review this codebase": split by file headers, review groups, merge findings. */
import { callEach, finish, lit, packUnitsFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

export function codeReviewProgram(kinds: string[], { plan, names, query }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const chunks = names.get('chunks');
  const units = names.get('units');
  const pack = names.get('packUnits');
  const findings = names.get('findings');
  const prompt =
    plan.wording % 3 === 2
      ? `${query} Reply NONE if there are none.`
      : `Review the code below. List every defect as "path: kind" lines, where kind is one of: ${kinds.join(', ')}. Reply NONE if there are none.`;
  const lines: string[] = [
    `const ${units} = context.split(/\\n(?=\\/\\/ File: )/);`,
    `print(${units}.length, 'files');`,
    packUnitsFn(pack, plan.variant),
    `const ${chunks} = ${pack}(${units}, ${plan.budget});`,
    callEach(plan.call, results, chunks, lit(prompt)),
    `const ${findings} = new Set();
for (const r of ${results}) {
  for (const line of r.split('\\n')) {
    const m = /^\\s*[-*]?\\s*([\\w./-]+\\.(?:ts|js|tsx))\\s*:\\s*([a-z-]+)/.exec(line);
    if (m) ${findings}.add(m[1] + ': ' + m[2]);
  }
}
print(${findings}.size, 'findings');
const ${answer} = [...${findings}].join('\\n');`,
    finish(plan.finish, answer),
  ];
  return { code: lines.join('\n'), answerVar: answer };
}
