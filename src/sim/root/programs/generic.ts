/** Root program for queries it does not recognize: ask each chunk, then combine the answers. */
import { callEach, charChunks, finish, lit } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

export function genericProgram({ plan, names, query }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const chunks = names.get('chunks');
  const hits = names.get('hits');
  const lines = [
    charChunks(chunks, names.get('size'), plan.budget, 200, plan.variant),
    callEach(plan.call, results, chunks, lit(`${query}\nIf this part of the text does not help, reply NONE.`)),
    `const ${hits} = ${results}.map((r) => r.trim()).filter((r) => r && !/^none\\b/i.test(r));`,
    `print(${hits}.length, 'useful answers');`,
    `const ${answer} = ${hits}.length === 0 ? 'NONE' : ${hits}.length === 1 ? ${hits}[0] : (await llm(${lit(`Combine these partial answers into one answer to: ${query}`)}, ${hits}.join('\\n').slice(0, ${plan.budget}))).trim();`,
    finish(plan.finish, answer),
  ];
  return { code: lines.join('\n'), answerVar: answer };
}
