/**
 * The families of decompositions in the labelled corpus. Each family writes one program as a list
 * of top-level statements, with surface variation drawn from its generator.
 */
import { chunkStep, countStep, filterStep, lines, mapStep, str, tpl, type Gen } from './corpus-kit.js';

export type FamilyName =
  | 'chunk-count'
  | 'filter-lines-llm'
  | 'per-doc-qa'
  | 'summarize-combine'
  | 'per-file-review'
  | 'needle-search'
  | 'pairwise-compare'
  | 'rlm-halving';

export const FAMILY_NAMES: readonly FamilyName[] = [
  'chunk-count',
  'filter-lines-llm',
  'per-doc-qa',
  'summarize-combine',
  'per-file-review',
  'needle-search',
  'pairwise-compare',
  'rlm-halving',
];

const CHUNKS = ['chunks', 'parts', 'pieces', 'segments', 'windows', 'slices', 'blocks'];
const ITEM = ['c', 'chunk', 'part', 'piece', 'seg', 'text', 'w'];
const ANSWERS = ['answers', 'results', 'replies', 'outputs', 'verdicts', 'responses'];
const ANSWER = ['a', 'ans', 'r', 'reply', 'x', 'v'];

function peekStart(g: Gen): string[] {
  return g.extra(g.lit(['print(context.length);', 'print(typeof context, context.length);', 'print(context.slice(0, 500));']));
}

/** FINAL(x) in one of its spellings. */
function final(g: Gen, value: string, formatted: string[] = []): string[] {
  const plain = /^[A-Za-z_$][\w$]*$/.test(value) ? [`FINAL(${value});`, `FINAL_VAR(${str(value)});`] : [`FINAL(${value});`];
  return [g.style([...plain, ...formatted.map((f) => `FINAL(${f});`)])];
}

function chunkCount(g: Gen): string[] {
  const chunks = g.name('chunks', CHUNKS);
  const answers = g.name('answers', ANSWERS);
  const count = g.name('count', ['count', 'hits', 'yesCount', 'matches', 'n', 'total']);
  const c = g.name('item', ITEM);
  const a = g.name('answer', ANSWER);
  const topic = g.lit(['the merger', 'Project Falcon', 'a data breach', 'the new CEO', 'supply chain delays', 'the lawsuit']);
  const question = g.lit([
    `Does this text mention ${topic}? Answer yes or no.`,
    `Answer YES or NO: is ${topic} discussed in the following passage?`,
    `Is there any reference to ${topic} here? Reply with yes or no only.`,
  ]);
  const [qDecl, q] = g.maybeConst('question', ['question', 'prompt', 'q', 'QUERY', 'ask'], str(question));
  const size = g.lit([4000, 5000, 8000, 10000, 20000]);
  const re = g.lit(['/yes/i', '/\\byes\\b/i', '/^\\s*yes/i']);
  const pred = g.style([`${re}.test(${a})`, `${a}.toLowerCase().includes("yes")`, `${a}.trim().toLowerCase().startsWith("yes")`]);
  return [
    ...peekStart(g),
    ...g.order([qDecl, chunkStep(g, { out: chunks, src: 'context', size })]),
    ...g.extra(`print(${chunks}.length, ${chunks}[0].slice(0, 200));`),
    ...mapStep(g, { out: answers, coll: chunks, item: c, query: q, ctx: c }),
    ...g.extra(`print(${answers}.slice(0, 3));`),
    ...countStep(g, { out: count, coll: answers, item: a, pred }),
    ...final(g, count, [tpl(`\${${count}} of \${${chunks}.length} chunks mention ${topic}`), `String(${count})`]),
  ];
}

function filterLinesLlm(g: Gen): string[] {
  const ls = g.name('lines', ['lines', 'rows', 'logLines', 'entries', 'all']);
  const rel = g.name('relevant', ['relevant', 'errors', 'hits', 'matched', 'selected', 'errLines']);
  const l = g.name('line', ['l', 'line', 'ln', 'row', 's']);
  const ans = g.name('answer', ['summary', 'answer', 'result', 'out', 'report']);
  const sep = g.style(['"\\n"', '/\\r?\\n/']);
  const re = g.lit(['/ERROR/', '/ERROR|FATAL/', '/\\b(error|exception)\\b/i', '/WARN(ING)?/']);
  const word = g.lit(['ERROR', 'FATAL', 'Exception']);
  const pred = g.style([`${re}.test(${l})`, `${l}.includes(${str(word)})`, `${re}.test(${l})`]);
  const question = g.lit([
    'Summarize the errors in these log lines and name the most likely root cause.',
    'What is the root cause of these errors? Be brief.',
    'Group these error lines by cause and count each group.',
  ]);
  const [qDecl, q] = g.maybeConst('question', ['question', 'prompt', 'q', 'TASK'], str(question));
  const joined = g.style([`${rel}.join("\\n")`, `${rel}.join("\\n")`, `${rel}.slice(0, 500).join("\\n")`]);
  const call = g.style([`await llm(${q}, ${joined})`, `await llm(${q}, ${joined})`, `await llm(${q} + "\\n\\n" + ${joined})`]);
  return [
    ...peekStart(g),
    ...g.order([qDecl, [`const ${ls}${g.ty(': string[]')} = context.split(${sep});`]]),
    ...g.extra(`print(${ls}.length);`, `print(${ls}.slice(0, 5).join("\\n"));`),
    ...filterStep(g, { out: rel, coll: ls, item: l, pred }),
    ...g.extra(`print(${rel}.length, ${rel}.slice(0, 3));`),
    `const ${ans} = ${call};`,
    ...final(g, ans),
  ];
}

function perDocQa(g: Gen): string[] {
  const docs = g.name('docs', ['docs', 'documents', 'articles', 'records', 'items']);
  const answers = g.name('answers', ANSWERS);
  const found = g.name('found', ['found', 'useful', 'relevant', 'good', 'kept']);
  const d = g.name('doc', ['d', 'doc', 'item', 'article', 'rec']);
  const a = g.name('answer', ANSWER);
  const fin = g.name('final', ['final', 'answer', 'result', 'combined', 'out']);
  const question = g.lit(['When was the company founded?', 'Who is the main author?', 'What budget was approved?', 'Which city hosts the event?']);
  const [qDecl, q] = g.maybeConst('question', ['question', 'QUESTION', 'q', 'query'], str(question));
  const parse = g.style([`JSON.parse(context)`, `typeof context === "string" ? JSON.parse(context) : context`]);
  const marker = g.lit(['NOT FOUND', 'N/A', 'UNKNOWN']);
  return [
    ...peekStart(g),
    ...g.order([qDecl, [`const ${docs}${g.ty(': { title: string; text: string }[]')} = ${parse};`]]),
    ...g.extra(`print(${docs}.length, Object.keys(${docs}[0]));`),
    ...mapStep(g, { out: answers, coll: docs, item: d, query: tpl(`Answer from this document only, or reply ${marker}. Title: \${${d}.title}. Question: \${${q}}`), ctx: `${d}.text` }),
    ...filterStep(g, { out: found, coll: answers, item: a, pred: `!${a}.includes(${str(marker)})` }),
    ...g.extra(`print(${found}.length);`),
    `const ${fin} = await llm(${tpl(`Combine these per-document answers into one answer to: \${${q}}`)}, ${found}.join("\\n"));`,
    ...final(g, fin),
  ];
}

function summarizeCombine(g: Gen): string[] {
  const chunks = g.name('chunks', CHUNKS);
  const sums = g.name('summaries', ['summaries', 'partials', 'notes', 'digests', 'sums']);
  const c = g.name('item', ITEM);
  const fin = g.name('final', ['final', 'summary', 'combined', 'overall', 'result']);
  const size = g.lit([6000, 8000, 12000, 15000]);
  const q1 = g.lit(['Summarize this section in 2-3 sentences.', 'Write a short summary of this part of the document.', 'List the key points of this passage.']);
  const q2 = g.lit(['Combine these section summaries into one coherent summary.', 'Merge the following partial summaries into a single summary.', 'Write an overall summary from these notes.']);
  const [q1Decl, q1e] = g.maybeConst('q1', ['SUMMARIZE', 'prompt', 'perChunk', 'q1'], str(q1));
  const sep = g.lit(['"\\n\\n"', '"\\n"', '"\\n---\\n"']);
  const combine = g.style([`await llm(${str(q2)}, ${sums}.join(${sep}))`, `await llm(${str(q2)} + "\\n\\n" + ${sums}.join(${sep}))`]);
  return [
    ...peekStart(g),
    ...g.order([q1Decl, chunkStep(g, { out: chunks, src: 'context', size })]),
    ...g.extra(`print(${chunks}.length);`),
    ...mapStep(g, { out: sums, coll: chunks, item: c, query: q1e, ctx: c }),
    ...g.extra(`print(${sums}[0]);`, `print(${sums}.map((s) => s.length));`),
    `const ${fin} = ${combine};`,
    ...final(g, fin),
  ];
}

function perFileReview(g: Gen): string[] {
  const files = g.name('files', ['files', 'repo', 'sources', 'fileMap', 'codebase']);
  const entries = g.name('entries', ['entries', 'pairs', 'list', 'fileList']);
  const reports = g.name('reports', ['reports', 'reviews', 'findings', 'notes', 'comments']);
  const flagged = g.name('flagged', ['flagged', 'problems', 'issues', 'bad', 'withIssues']);
  const path = g.name('path', ['path', 'file', 'name', 'p', 'fname']);
  const src = g.name('src', ['src', 'code', 'content', 'body', 'text']);
  const r = g.name('report', ['r', 'rep', 'x', 'review']);
  const ok = g.lit(['NO ISSUES', 'LGTM', 'OK']);
  const focus = g.lit(['bugs and security issues', 'correctness problems', 'unhandled errors and races']);
  return [
    ...peekStart(g),
    `const ${files}${g.ty(': Record<string, string>')} = JSON.parse(context);`,
    `const ${entries} = Object.entries(${files});`,
    ...g.extra(`print(${entries}.length, ${entries}.map(([p]) => p).slice(0, 10));`),
    ...mapStep(g, {
      out: reports,
      coll: entries,
      item: `[${path}, ${src}]`,
      query: tpl(`Review the file \${${path}} for ${focus}. Reply ${ok} if it is fine.`),
      ctx: src,
      wrap: (ans) => tpl(`## \${${path}}\\n\${${ans}}`),
    }),
    ...filterStep(g, { out: flagged, coll: reports, item: r, pred: `!${r}.includes(${str(ok)})` }),
    ...g.extra(`print(${flagged}.length);`),
    ...final(g, `${flagged}.join("\\n\\n")`),
  ];
}

function needleSearch(g: Gen): string[] {
  const chunks = g.name('chunks', CHUNKS);
  const found = g.name('found', ['found', 'answer', 'hit', 'match', 'result']);
  const c = g.name('item', ITEM);
  const r = g.name('reply', ['r', 'reply', 'res', 'resp']);
  const i = g.name('index', ['i', 'j', 'k', 'idx']);
  const needle = g.lit(['the launch code', 'the password', 'the secret key', 'the meeting date', 'the account number']);
  const none = g.lit(['NONE', 'NOT FOUND', 'NO']);
  const size = g.lit([5000, 10000, 16000]);
  const q = str(`Does this text contain ${needle}? If so reply with it exactly, otherwise reply ${none}.`);
  const test = g.style([`!${r}.includes(${str(none)})`, `${r}.trim() !== ${str(none)}`]);
  const body = (elem: string): string[] => [`  const ${r} = await llm(${q}, ${elem});`, ...g.extra(`  print(${r});`), `  if (${test}) {`, `    ${found} = ${r};`, `    break;`, `  }`];
  const loop = g.form(['forof', 'classic'] as const);
  const loopStmt =
    loop === 'forof'
      ? lines(`for (const ${c} of ${chunks}) {`, ...body(c), `}`)
      : lines(`for (let ${i} = 0; ${i} < ${chunks}.length; ${i}++) {`, ...body(`${chunks}[${i}]`), `}`);
  const init = g.style(['null', '""']);
  return [
    ...peekStart(g),
    ...chunkStep(g, { out: chunks, src: 'context', size }),
    ...g.extra(`print(${chunks}.length);`),
    `let ${found}${g.ty(': string | null')} = ${init};`,
    loopStmt,
    ...final(g, `${found} ?? ${str('not found')}`, [`${found} || ${str('NOT FOUND')}`]),
  ];
}

function pairwiseCompare(g: Gen): string[] {
  const secs = g.name('sections', ['sections', 'parts', 'clauses', 'paras', 'items']);
  const pairs = g.name('pairs', ['pairs', 'adjacent', 'couples', 'duos']);
  const verdicts = g.name('verdicts', ['verdicts', 'answers', 'checks', 'results']);
  const n = g.name('count', ['count', 'conflicts', 'n', 'contradictions']);
  const i = g.name('index', ['i', 'j', 'k']);
  const a = g.name('left', ['a', 'left', 'first', 'x']);
  const b = g.name('right', ['b', 'right', 'second', 'y']);
  const v = g.name('verdict', ['v', 'ans', 'r', 'verdict']);
  const sep = g.lit(['/\\n\\n/', '/\\n(?=## )/', '/\\n{2,}/']);
  const q = str(g.lit(['Do these two sections contradict each other? Answer yes or no.', 'Is the second passage inconsistent with the first? yes/no', 'Answer yes or no: do these clauses conflict?']));
  const pairBuild = g.style([
    [`const ${pairs} = [];`, lines(`for (let ${i} = 0; ${i} + 1 < ${secs}.length; ${i}++) {`, `  ${pairs}.push([${secs}[${i}], ${secs}[${i} + 1]]);`, `}`)],
    [`const ${pairs} = ${secs}.slice(1).map((s, ${i}) => [${secs}[${i}], s]);`],
  ]);
  return [
    ...peekStart(g),
    `const ${secs}${g.ty(': string[]')} = context.split(${sep});`,
    ...g.extra(`print(${secs}.length);`),
    ...pairBuild,
    ...mapStep(g, { out: verdicts, coll: pairs, item: `[${a}, ${b}]`, query: q, ctx: tpl(`\${${a}}\\n---\\n\${${b}}`) }),
    ...countStep(g, { out: n, coll: verdicts, item: v, pred: `/yes/i.test(${v})` }),
    ...final(g, n, [tpl(`\${${n}} contradictions found`)]),
  ];
}

function rlmHalving(g: Gen): string[] {
  const solve = g.name('solve', ['solve', 'answer', 'recurse', 'handle', 'go']);
  const t = g.name('text', ['text', 't', 's', 'input', 'doc']);
  const mid = g.name('mid', ['mid', 'half', 'm', 'cut']);
  const left = g.name('left', ['left', 'l', 'a', 'first']);
  const right = g.name('right', ['right', 'r', 'b', 'second']);
  const res = g.name('result', ['result', 'answer', 'out', 'final']);
  const limit = g.lit([20000, 30000, 50000]);
  const q = g.lit(['Find every person mentioned and their role.', 'List all monetary amounts and what they are for.', 'Extract every deadline with its date.']);
  const [qDecl, qe] = g.maybeConst('question', ['QUESTION', 'question', 'task', 'q'], str(q));
  const merge = str(g.lit(['Merge these two partial answers into one, removing duplicates.', 'Combine the two lists below into one list.', 'Union of these partial results, deduplicated:']));
  const midExpr = g.style([`Math.floor(${t}.length / 2)`, `Math.floor(${t}.length / 2)`, `${t}.length >> 1`]);
  const halves = g.form(['seq', 'all'] as const);
  const body = [
    `  if (${t}.length <= ${limit}) return await llm(${qe}, ${t});`,
    `  const ${mid} = ${midExpr};`,
    ...(halves === 'seq'
      ? [`  const ${left} = await rlm(${qe}, ${t}.slice(0, ${mid}));`, `  const ${right} = await rlm(${qe}, ${t}.slice(${mid}));`]
      : [`  const [${left}, ${right}] = await Promise.all([rlm(${qe}, ${t}.slice(0, ${mid})), rlm(${qe}, ${t}.slice(${mid}))]);`]),
    `  return await llm(${merge}, ${left} + "\\n" + ${right});`,
  ];
  const fnForm = g.form(['decl', 'arrow'] as const);
  const fn =
    fnForm === 'decl'
      ? lines(`async function ${solve}(${t}${g.ty(': string')})${g.ty(': Promise<string>')} {`, ...body, `}`)
      : lines(`const ${solve} = async (${t}${g.ty(': string')}) => {`, ...body, `};`);
  return [...peekStart(g), ...qDecl, fn, `const ${res} = await ${solve}(context);`, ...g.extra(`print(${res}.slice(0, 500));`), ...final(g, res)];
}

export const FAMILIES: Readonly<Record<FamilyName, (g: Gen) => string[]>> = {
  'chunk-count': chunkCount,
  'filter-lines-llm': filterLinesLlm,
  'per-doc-qa': perDocQa,
  'summarize-combine': summarizeCombine,
  'per-file-review': perFileReview,
  'needle-search': needleSearch,
  'pairwise-compare': pairwiseCompare,
  'rlm-halving': rlmHalving,
};
