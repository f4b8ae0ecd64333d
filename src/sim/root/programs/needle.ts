/** Root programs for "find the secret code of project X": scan all chunks, or grep then ask. */
import { callEach, charChunks, finishChecked, indent, lit, packLinesFn } from '../snippets.js';
import type { Program, ProgramInput } from './common.js';

const WORDINGS = [
  (p: string) => `Find the secret code for project ${p} in this text. Reply with the code only, or NOT FOUND if it is not there.`,
  (p: string) => `Does this text give the secret code of project ${p}? If yes, reply with just the code; otherwise reply NOT FOUND.`,
  (p: string) => `What is the secret code for project ${p}? Answer with the code only, or NOT FOUND.`,
];

/** A JS expression for the sub-query about project `pExpr` (an expression). */
function promptExpr(wording: number, project: string | undefined): string {
  const w = WORDINGS[wording % WORDINGS.length];
  if (project !== undefined) return lit(w(project));
  const [before, after] = w('\u0000').split('\u0000');
  return `${lit(before)} + p + ${lit(after)}`;
}

export function needleProgram(projects: string[], { plan, names, rng }: ProgramInput): Program {
  const answer = names.get('answer');
  const results = names.get('results');
  const hits = names.get('hits');
  const single = projects.length === 1;
  const strategy = plan.variant % 3; // 0: char chunks, 1: line batches, 2: grep lines first
  const lines: string[] = [];

  if (strategy === 2) {
    const all = names.get('lines');
    lines.push(`const ${all} = context.split('\\n');`);
    if (single) {
      const p = projects[0];
      lines.push(`const ${hits} = ${all}.filter((line) => line.includes(${lit(p)}));`);
      lines.push(`print(${hits}.length, 'lines mention ${p}');`);
      lines.push(`const ${answer} = (await llm(${promptExpr(plan.wording, p)}, ${hits}.join('\\n').slice(0, ${plan.budget}))).trim();`);
    } else {
      lines.push(`const ${hits} = [];`);
      lines.push(`for (const p of ${JSON.stringify(projects)}) {`);
      lines.push(`  const mentions = ${all}.filter((line) => line.includes(p)).join('\\n').slice(0, ${plan.budget});`);
      lines.push(`  const code = (await llm(${promptExpr(plan.wording, undefined)}, mentions)).trim();`);
      lines.push(`  ${hits}.push(p + ': ' + code);`);
      lines.push(`}`);
      lines.push(`const ${answer} = ${hits}.join('\\n');`);
    }
    lines.push(finishChecked(plan.finish, answer, `/NOT FOUND/.test(${answer})`, 'No code found'));
    return { code: lines.join('\n'), answerVar: answer };
  }

  const chunks = names.get('chunks');
  if (strategy === 0) {
    lines.push(charChunks(chunks, names.get('size'), plan.budget, rng.pick([0, 200, 300]), plan.variant));
  } else {
    const fn = names.get('packLines');
    lines.push(packLinesFn(fn), `const ${chunks} = ${fn}(context, ${plan.budget});`, `print(${chunks}.length, 'batches');`);
  }
  const vote = rng.chance(0.5);
  const pick = (arr: string): string =>
    vote
      ? `Object.entries(${arr}.reduce((acc, h) => ({ ...acc, [h]: (acc[h] || 0) + 1 }), {})).sort((a, b) => b[1] - a[1]).map((e) => e[0])[0] || 'NOT FOUND'`
      : `${arr}.length > 0 ? ${arr}[0] : 'NOT FOUND'`;
  if (single) {
    lines.push(callEach(plan.call, results, chunks, promptExpr(plan.wording, projects[0])));
    const check = rng.chance(0.5) ? ' && context.includes(r)' : '';
    lines.push(`const ${hits} = ${results}.map((r) => r.trim()).filter((r) => r && !/not found|does not|no code/i.test(r)${check});`);
    lines.push(`print('candidates:', ${hits});`);
    lines.push(`const ${answer} = ${pick(hits)};`);
  } else {
    lines.push(`const ${hits} = [];`);
    lines.push(`for (const p of ${JSON.stringify(projects)}) {`);
    lines.push(indent(callEach(plan.call, 'rs', chunks, promptExpr(plan.wording, undefined)), 2));
    lines.push(`  const codes = rs.map((r) => r.trim()).filter((r) => r && !/not found|does not|no code/i.test(r));`);
    lines.push(`  ${hits}.push(p + ': ' + (${pick('codes')}));`);
    lines.push(`}`);
    lines.push(`print(${hits});`);
    lines.push(`const ${answer} = ${hits}.join('\\n');`);
  }
  lines.push(finishChecked(plan.finish, answer, `/NOT FOUND/.test(${answer})`, 'No code found'));
  return { code: lines.join('\n'), answerVar: answer };
}
