/**
 * The checked form of a generated function (opt-in: `{ checked: true }`). Every model call goes
 * through `model.llm` / `model.llmBatch`; by default those are the sandbox's own `llm` and
 * `llmBatch` (the calls, their order and the returned string are what they were, so replay of the
 * logged runs is unchanged), except that a call that throws is reported by an error naming the
 * failed piece (its number, query and context), never swallowed. Checked, each answer is tested against what the function parses
 * (empty, "NONE" where the instruction does not allow it, no JSON where it parses JSON), the failed
 * ones are asked once more in one batch (the query says why, so that the run's cache does not
 * answer it with the same reply), and the function returns the JSON text of
 * `{ answer, pieces, failures }`: every call with its query, context and answer, and those that
 * still failed, for the caller to redo. A call that throws (a failed batch is asked again call by
 * call, so one failure does not lose the other answers) answers "" to the function's code and is
 * a failure with problem "the call failed: <error>".
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

/** The message of what a model call threw. */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A model call named for a message: its number in the function, its query and the start of its context. */
function pieceLabel(n: number, query: string, context: unknown): string {
  const text = typeof context === "string" ? context : context === undefined || context === null ? "" : (JSON.stringify(context) ?? "");
  const clip = (s: string): string => JSON.stringify(s.length > 80 ? \`\${s.slice(0, 80)}…\` : s);
  return \`model call \${n} (query \${clip(query)}\${text ? \`, context \${clip(text)}\` : ""})\`;
}

/**
 * The sandbox's own llm and llmBatch, as the logged runs called them; a call that fails throws an
 * error that names the failed piece (which call, its query and context) instead of the bare error.
 */
function plainModel(functionName: string): ModelCalls {
  let made = 0;
  const failed = (n: number, query: string, context: unknown, error: unknown): Error =>
    new Error(\`\${functionName}: \${pieceLabel(n, query, context)} failed: \${errorText(error)}. Call it with { checked: true } to get the other pieces' answers and the failed ones listed in "failures".\`);
  return {
    llm: async (query, context) => {
      const n = ++made;
      try {
        return await llm(query, context);
      } catch (error) {
        throw failed(n, query, context, error);
      }
    },
    llmBatch: async (items) => {
      const first = made + 1;
      made += items.length;
      try {
        return await llmBatch(items);
      } catch (error) {
        // The runtime says which item failed ("llmBatch: item 3 failed: ..."); otherwise the batch is named.
        const index = Number(/\\bitem (\\d+) failed/.exec(errorText(error))?.[1] ?? -1);
        const item = items[index];
        if (item === undefined) throw new Error(\`\${functionName}: one of model calls \${first}–\${first + items.length - 1} failed: \${errorText(error)}\`);
        const cause = errorText(error).replace(/^llmBatch: item \\d+ failed: /, "");
        throw failed(first + index, typeof item === "string" ? item : item.query, typeof item === "string" ? undefined : item.context, cause);
      }
    },
  };
}

interface Asked {
  answer: string;
  /** What the call threw, if it did. */
  error?: string;
}

/** Asks a batch; when the batch fails, each call on its own (answered ones come from the run's cache), so one failure does not lose the others. */
async function askEach(items: { query: string; context?: unknown }[]): Promise<Asked[]> {
  try {
    return (await llmBatch(items)).map((answer) => ({ answer }));
  } catch {
    return Promise.all(
      items.map(async (item): Promise<Asked> => {
        try {
          return { answer: await llm(item.query, item.context) };
        } catch (error) {
          return { answer: "", error: errorText(error) };
        }
      }),
    );
  }
}

/**
 * Model calls that check every answer, retry the failed ones once (in one batch), and record a
 * piece per call. A call that throws (asked again on its own first) answers "" and is reported.
 */
function checkedModel(pieces: Piece[], expectsJson: boolean): ModelCalls {
  const askAll = async (items: { query: string; context?: unknown }[]): Promise<string[]> => {
    const asked = await askEach(items);
    const answers = asked.map((a) => a.answer);
    const problemOf = (a: Asked, i: number): string | undefined => (a.error !== undefined ? \`the call failed: \${a.error}\` : answerProblem(a.answer, items[i].query, expectsJson));
    const problems = asked.map(problemOf);
    const thrown = asked.map((a) => a.error !== undefined);
    const redo = items.flatMap((_, i) => (problems[i] === undefined || thrown[i] ? [] : [i]));
    const retries = redo.map((i) => ({ query: \`\${items[i].query}\\n\\n(An earlier answer could not be used: \${problems[i]}. Answer again, exactly as instructed.)\`, context: items[i].context }));
    const again = redo.length > 0 ? await askEach(retries) : [];
    redo.forEach((i, j) => {
      answers[i] = again[j].answer;
      problems[i] = problemOf(again[j], i);
    });
    items.forEach((item, i) => {
      const context = typeof item.context === "string" ? item.context : item.context === undefined ? "" : JSON.stringify(item.context);
      const problem = problems[i];
      pieces.push({ query: item.query, context, answer: answers[i], retried: thrown[i] || redo.includes(i), ...(problem === undefined ? {} : { problem }) });
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
export function checkedPrologue(modelName: string, piecesName: string, optionsName: string, expectsJson: boolean, functionName: string): string[] {
  return [
    `const ${piecesName}: Piece[] = [];`,
    `const ${modelName}: ModelCalls = ${optionsName}.checked ? checkedModel(${piecesName}, ${expectsJson}) : plainModel(${JSON.stringify(functionName)});`,
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
/** The names the shared machinery declares at module level (a function's own names must not take them). */
export const MACHINERY_NAMES: ReadonlySet<string> = new Set([...checkedMachinery().matchAll(/^(?:async )?(?:function|interface) (\w+)/gm)].map((m) => m[1]));

export const MACHINERY_BEGIN = '// ---- checked form: shared machinery ----';
export const MACHINERY_END = '// ---- end of the shared machinery ----';
