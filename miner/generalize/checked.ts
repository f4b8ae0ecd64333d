/**
 * The checked form of a generated function (opt-in: `{ checked: true }`). Every model call goes
 * through `model.llm` / `model.llmBatch`; by default those are the sandbox's own `llm` and
 * `llmBatch` (the calls, their order and the returned string are what they were, so replay of the
 * logged runs is unchanged). Checked, each answer is tested against what the function parses
 * (empty, "NONE" where the instruction does not allow it, no JSON where it parses JSON), the failed
 * ones are asked once more in one batch (the query says why, so that the run's cache does not
 * answer it with the same reply), and the function returns the JSON text of
 * `{ answer, pieces, failures }`: every call with its query, context and answer, and those that
 * still failed, for the caller to redo.
 */

/** The shared machinery, emitted once at the top of the function's file. */
export function checkedMachinery(): string {
  return `/** One model call made by the checked form: what was asked, what came back, and why it cannot be used (if so). */
interface Piece {
  query: string;
  context: string;
  answer: string;
  retried: boolean;
  problem?: string;
}

/** What the checked form returns: the answer, every model call's piece, and the pieces that failed after a retry. */
interface CheckedAnswer {
  answer: string;
  pieces: Piece[];
  failures: Piece[];
}

interface ModelCalls {
  llm: (query: string, context?: unknown) => Promise<string>;
  llmBatch: (items: ({ query: string; context?: unknown } | string)[]) => Promise<string[]>;
}

/** Why a model answer cannot be used, or undefined when it can. */
function answerProblem(answer: string, query: string, expectsJson: boolean): string | undefined {
  const text = answer.trim();
  if (text === "") return "empty answer";
  if (/^none\\.?$/i.test(text)) return /\\bNONE\\b/.test(query) ? undefined : "answered NONE";
  if (!expectsJson) return undefined;
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf("]"), text.lastIndexOf("}"));
  if (start < 0 || end < start) return "no JSON in the answer";
  try {
    JSON.parse(text.slice(start, end + 1));
    return undefined;
  } catch {
    return "unparseable JSON";
  }
}

/** Model calls that check every answer, retry the failed ones once (in one batch), and record a piece per call. */
function checkedModel(pieces: Piece[], expectsJson: boolean): ModelCalls {
  const askAll = async (items: { query: string; context?: unknown }[]): Promise<string[]> => {
    const answers = await llmBatch(items);
    const problems = answers.map((a, i) => answerProblem(a, items[i].query, expectsJson));
    const redo = items.flatMap((_, i) => (problems[i] === undefined ? [] : [i]));
    const retries = redo.map((i) => ({ query: \`\${items[i].query}\\n\\n(An earlier answer could not be used: \${problems[i]}. Answer again, exactly as instructed.)\`, context: items[i].context }));
    const again = redo.length > 0 ? await llmBatch(retries) : [];
    redo.forEach((i, j) => {
      answers[i] = again[j];
      problems[i] = answerProblem(again[j], items[i].query, expectsJson);
    });
    items.forEach((item, i) => {
      const context = typeof item.context === "string" ? item.context : item.context === undefined ? "" : JSON.stringify(item.context);
      const problem = problems[i];
      pieces.push({ query: item.query, context, answer: answers[i], retried: redo.includes(i), ...(problem === undefined ? {} : { problem }) });
    });
    return answers;
  };
  return {
    llm: async (query, context) => (await askAll([{ query, context }]))[0],
    llmBatch: (items) => askAll(items.map((item) => (typeof item === "string" ? { query: item } : item))),
  };
}
`;
}

/** The first statements of the function body: the pieces and the model calls to use. */
export function checkedPrologue(modelName: string, piecesName: string, optionsName: string, expectsJson: boolean): string[] {
  return [
    `const ${piecesName}: Piece[] = [];`,
    `const ${modelName}: ModelCalls = ${optionsName}.checked ? checkedModel(${piecesName}, ${expectsJson}) : { llm, llmBatch };`,
  ];
}

/**
 * The answer helper of a checked function: the string as FINAL makes it, or — checked — the JSON
 * text of `{ answer, pieces, failures }` (the function still returns a string, so its signature,
 * and what every caller and replay get by default, stay the same).
 */
export function checkedAnswerHelper(name: string, piecesName: string, optionsName: string): string {
  return [
    `const ${name} = (value: unknown): string => {`,
    `  const text = typeof value === "string" ? value : value === undefined ? "undefined" : (JSON.stringify(value) ?? String(value));`,
    `  if (!${optionsName}.checked) return text;`,
    `  const result: CheckedAnswer = { answer: text, pieces: ${piecesName}, failures: ${piecesName}.filter((piece) => piece.problem !== undefined) };`,
    '  return JSON.stringify(result);',
    '};',
  ].join('\n');
}

/** Marks the machinery so that description-length gain does not count it (like the doc, it is the same in every function). */
export const MACHINERY_BEGIN = '// ---- checked form: shared machinery ----';
export const MACHINERY_END = '// ---- end of the shared machinery ----';
