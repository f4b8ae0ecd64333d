/**
 * Runs written by a frontier-model root that read printed output and then typed their answer as a
 * literal (`FINAL("...")`), copied from ../shared/corpora (code blocks, query and answer only), so
 * that the front end's slicing through the root model is tested without the corpora folder.
 */
import type { BlockInput } from '../../../miner/front/types.js';

export interface TypedAnswerRun {
  /** Where it comes from: corpus file and run id. */
  source: string;
  query: string;
  answer: string;
  blocks: BlockInput[];
}

export const needle: TypedAnswerRun = {
  source: "realroot-no-library.jsonl 5a7a3cda-0ebd-478c-bf3d-0b941527ea6d",
  query: "What are the secret codes for project Tessaly and project Tamarind?",
  answer: "Tessaly: 3243-MS\nTamarind: 5876-UZ",
  blocks: [
    { stepIdx: 0, blockIdx: 0, status: "ok", code: "print(typeof context, context.length);\nprint(context.slice(0, 500));\nconst lines = context.split('\\n');\nprint('lines:', lines.length);\nfor (const p of ['Tessaly', 'Tamarind']) {\n  const re = new RegExp(`[^.\\\\n]*\\\\b${p}\\\\b[^.\\\\n]*\\\\.?`, 'g');\n  const hits = context.match(re) || [];\n  print(p, hits.length, 'mentions:');\n  for (const h of hits.slice(0, 10)) print('  ', h.trim());\n}" },
    { stepIdx: 1, blockIdx: 0, status: "final", code: "FINAL('Tessaly: 3243-MS\\nTamarind: 5876-UZ');" },
  ],
};

export const classifyCount: TypedAnswerRun = {
  source: "realroot-no-library.jsonl f84deb78-f2da-4060-b19d-da65a3433e24",
  query: "Which category is the most frequent among these requests? The categories are: refund, shipping, billing, praise or technical.",
  answer: "praise",
  blocks: [
    { stepIdx: 0, blockIdx: 0, status: "ok", code: "const lines = context.split('\\n');\nprint(typeof context, context.length, 'chars,', lines.length, 'lines');\nprint(lines.slice(0, 8).join('\\n'));\nprint('...');\nprint(lines.slice(-3).join('\\n'));" },
    { stepIdx: 1, blockIdx: 0, status: "ok", code: "const LABELS = ['refund', 'shipping', 'billing', 'praise', 'technical'];\nconst tickets = lines.slice(1).filter((l) => l.trim());\nconst batches = [];\nfor (let i = 0; i < tickets.length; i += 40) batches.push(tickets.slice(i, i + 40));\nconst prompt = `Classify each support ticket below into exactly one of these categories: ${LABELS.join(', ')}.\nReply with one line per ticket in the form \"<ticket id>: <category>\", in the same order as the input, and nothing else.`;\nconst replies = await llmBatch(batches.map((b) => ({ query: prompt, context: b.join('\\n') })));\nprint('batches:', batches.length);\nprint('sample reply:\\n' + replies[0].slice(0, 400));\nconst counts = Object.fromEntries(LABELS.map((l) => [l, 0]));\nlet labelled = 0;\nfor (const r of replies) {\n  for (const line of r.split('\\n')) {\n    const m = /:\\s*([a-z]+)\\s*$/i.exec(line.trim());\n    if (m && LABELS.includes(m[1].toLowerCase())) { counts[m[1].toLowerCase()]++; labelled++; }\n  }\n}\nprint('labelled', labelled, 'of', tickets.length, counts);" },
    { stepIdx: 2, blockIdx: 0, status: "ok", code: "const totals = Object.fromEntries(LABELS.map((l) => [l, 0]));\nconst mismatches = [];\nreplies.forEach((r, i) => {\n  const obj = JSON.parse(r.slice(r.indexOf('{'), r.lastIndexOf('}') + 1));\n  let sum = 0;\n  for (const l of LABELS) { totals[l] += Number(obj[l]) || 0; sum += Number(obj[l]) || 0; }\n  if (sum !== batches[i].length) mismatches.push([i, sum, batches[i].length]);\n});\nprint('totals', totals, 'sum', Object.values(totals).reduce((a, b) => a + b, 0), 'of', tickets.length);\nprint('batches whose counts do not add up:', mismatches);" },
    { stepIdx: 3, blockIdx: 0, status: "final", code: "FINAL('praise');" },
  ],
};

export const multiDoc: TypedAnswerRun = {
  source: "realroot-no-library.jsonl 7dd5f8af-eab6-4ac9-9c77-e88dcdcd4d49",
  query: "Who bought Kilner Holdings? Name the company.",
  answer: "Bexley Robotics",
  blocks: [
    { stepIdx: 0, blockIdx: 0, status: "ok", code: "print(typeof context, context.length);\nconst docs = context.split(/^(?=### Document \\d+:)/m).filter((d) => d.trim());\nprint(docs.length, 'documents; first headers:', docs.slice(0, 4).map((d) => d.split('\\n')[0]));\nconst hits = docs.map((d, i) => [i, d]).filter(([, d]) => d.includes('Kilner Holdings'));\nprint('documents mentioning Kilner Holdings:', hits.length);\nfor (const [i, d] of hits) {\n  print('--', d.split('\\n')[0]);\n  for (const s of d.split(/(?<=\\.)\\s+/).filter((s) => s.includes('Kilner Holdings'))) print('   ', s.trim());\n}" },
    { stepIdx: 1, blockIdx: 0, status: "final", code: "FINAL('Bexley Robotics');" },
  ],
};

export const wifiPassword: TypedAnswerRun = {
  source: "dev-styles-1.jsonl 385545a6-193e-417b-8777-233f45d716a4",
  query: "Somewhere in these meeting transcripts someone mentions the Wi-Fi password for the Lisbon offsite. What is it?",
  answer: "The Wi-Fi password for the Lisbon offsite is \"Tagus-Offsite-2024!\" (network \"LX-Factory-Events\"), mentioned by Joana in the 12 June logistics call.",
  blocks: [
    { stepIdx: 0, blockIdx: 0, status: "ok", code: "print(context.length);\nconst direct = [...context.matchAll(/(wi-?fi|password|passcode|network)/gi)].length;\nprint('keyword hits', direct);" },
    { stepIdx: 1, blockIdx: 0, status: "ok", code: "const sz = 20000;\nconst chunks = [];\nfor (let i = 0; i < context.length; i += sz - 200) chunks.push(context.slice(i, i + sz));\nconst answers = await llmBatch(chunks.map(c => ({\n  query: 'Does this transcript excerpt mention the Wi-Fi network name or password for the Lisbon offsite? If yes, quote the exact sentence and say who said it and in which meeting. If no, reply exactly NONE.',\n  context: c,\n})));\nconst hits = answers.map((a, i) => ({ i, a: a.trim() })).filter(x => !/^NONE\\b/i.test(x.a));\nprint(hits.length);\nprint(hits.map(h => h.i + ': ' + h.a).join('\\n\\n'));" },
    { stepIdx: 2, blockIdx: 0, status: "ok", code: "FINAL('The Wi-Fi password for the Lisbon offsite is \"Tagus-Offsite-2024!\" (network \"LX-Factory-Events\"), mentioned by Joana in the 12 June logistics call.');" },
  ],
};
