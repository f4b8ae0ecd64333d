/**
 * Noise for the labelled corpus: one-off programs that follow no recurring decomposition. Each
 * template is structurally distinct from the others and from the families.
 */
import { lines, str, type Gen } from './corpus-kit.js';

type NoiseTemplate = (g: Gen) => string[];

const v = (g: Gen, role: string, pool: string[]): string => g.name(`noise-${role}`, pool);

export const NOISE: readonly NoiseTemplate[] = [
  () => ['FINAL(context.length);'],
  (g) => [`const ${v(g, 'w', ['words', 'toks', 'w'])} = context.split(/\\s+/).filter(Boolean);`, `FINAL(${v(g, 'w', [])}.length);`],
  (g) => {
    const freq = v(g, 'f', ['freq', 'counts', 'tally']);
    return [
      `const ${freq} = new Map();`,
      lines(`for (const w of context.toLowerCase().match(/[a-z]+/g) ?? []) {`, `  ${freq}.set(w, (${freq}.get(w) ?? 0) + 1);`, `}`),
      `const top = [...${freq}.entries()].sort((a, b) => b[1] - a[1])[0];`,
      'FINAL(top ? top[0] : "");',
    ];
  },
  (g) => [`const m = context.match(/\\d{4}-\\d{2}-\\d{2}/g);`, `FINAL(m ? m[0] : ${str(g.lit(['none', 'no date']))});`],
  () => ['const data = JSON.parse(context);', 'FINAL(data.config.version);'],
  (g) => [`FINAL(await llm(${str(g.lit(['What language is this text written in?', 'Which language is this?']))}, context.slice(0, 2000)));`],
  () => ['FINAL(context.split("\\n").reverse().slice(0, 5).join("\\n"));'],
  () => ['const nums = (context.match(/-?\\d+(\\.\\d+)?/g) || []).map(Number);', 'let s = 0;', 'for (const x of nums) s += x;', 'FINAL(s);'],
  () => ['FINAL(context.split("\\n").reduce((best, l) => (l.length > best.length ? l : best), ""));'],
  () => [lines('let upper = 0;', 'for (let i = 0; i < context.length; i++) {', '  const ch = context[i];', '  if (ch >= "A" && ch <= "Z") upper++;', '}'), 'FINAL(upper);'],
  () => ['const emails = new Set(context.match(/[\\w.+-]+@[\\w-]+\\.[\\w.]+/g) ?? []);', 'FINAL([...emails].join(", "));'],
  () => ['const first = context.split("\\n")[0];', 'FINAL(first.split(" ").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" "));'],
  () => [
    'const rows = context.trim().split("\\n").slice(1).map((r) => r.split(","));',
    'const vals = rows.map((r) => parseFloat(r[2])).filter((x) => !Number.isNaN(x));',
    'FINAL(vals.reduce((a, b) => a + b, 0) / Math.max(vals.length, 1));',
  ],
  () => ['FINAL(context.includes("TODO") ? "yes" : "no");'],
  () => [lines('let a = 0, b = 1;', 'for (let i = 0; i < 30; i++) {', '  const t = a + b;', '  a = b;', '  b = t;', '}'), 'FINAL(a);'],
  (g) => [
    `const lang = await llm("Name the language of this text in one word.", context.slice(0, 1000));`,
    `const gist = await llm(\`Translate the first paragraph into English. The text is in \${lang}.\`, context.split("\\n\\n")[0]);`,
    `FINAL(${g.style(['gist', '`${lang}: ${gist}`'])});`,
  ],
  () => [lines('const hist = {};', 'for (const ch of context) {', '  hist[ch] = (hist[ch] || 0) + 1;', '}'), 'FINAL(JSON.stringify(hist));'],
  () => ['const sorted = context.split("\\n").sort((a, b) => b.length - a.length);', 'FINAL(sorted.slice(0, 3));'],
  () => ['const items = JSON.parse(context);', 'FINAL(items.filter((x) => x.active && x.age > 30).map((x) => x.name));'],
  () => [
    lines(
      'function dist(a, b) {',
      '  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i]);',
      '  for (let j = 1; j <= b.length; j++) dp[0][j] = j;',
      '  for (let i = 1; i <= a.length; i++)',
      '    for (let j = 1; j <= b.length; j++)',
      '      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));',
      '  return dp[a.length][b.length];',
      '}',
    ),
    'const [x, y] = context.split("\\n");',
    'FINAL(dist(x, y));',
  ],
  () => ['const d = new Date(context.trim());', 'FINAL(isNaN(d.getTime()) ? "invalid" : d.toISOString().slice(0, 10));'],
  () => ['const start = context.indexOf("BEGIN");', 'const end = context.indexOf("END", start);', 'FINAL(context.slice(start + 5, end).trim());'],
  () => ['FINAL(new Set(context.split("\\n")).size);'],
  (g) => [`FINAL(await llm(${str(g.lit(['Answer the question in the text.', 'Respond to the request below.']))}, context));`],
  () => [
    'const obj = JSON.parse(context);',
    lines('function depth(o) {', '  if (typeof o !== "object" || o === null) return 0;', '  return 1 + Math.max(0, ...Object.values(o).map(depth));', '}'),
    'FINAL(depth(obj));',
  ],
  () => [
    lines('const stack = [];', 'let ok = true;', 'for (const ch of context) {', '  if ("([{".includes(ch)) stack.push(ch);', '  else if (")]}".includes(ch)) {', '    const o = stack.pop();', '    if (!o || "([{".indexOf(o) !== ")]}".indexOf(ch)) { ok = false; break; }', '  }', '}'),
    'FINAL(ok && stack.length === 0);',
  ],
  () => ['const vowels = (context.match(/[aeiou]/gi) || []).length;', 'const ratio = vowels / Math.max(1, context.length);', 'FINAL(ratio.toFixed(3));'],
  () => ['const hdrs = context.split("\\n").filter((l) => l.startsWith("#"));', 'FINAL(hdrs.map((h) => h.replace(/^#+\\s*/, "")).join(" > "));'],
];
