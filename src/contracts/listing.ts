/**
 * How library functions are listed to a root model: the listing type the library produces and the
 * runtime shows, and the system prompt's library section — its heading, how to judge whether a
 * listed function fits, the checked form's result, and the line format (which the simulated root
 * model parses). Declared once here; src/runtime/prompts.ts assembles them.
 */

/** A library function as listed in the system prompt. */
export interface LibraryListing {
  name: string;
  /** `(params): ReturnType` */
  signature: string;
  doc: string;
}

/**
 * What a library function's error says when its own final check failed (the runs it was mined from
 * printed why and tried again in a new step instead of answering): `<name>: its own final check failed …`,
 * with the answer it computed. Verification counts it as a reported outcome, not a crash.
 */
export const CHECK_FAILED = 'its own final check failed';

/** The heading of the system prompt's library section. */
export const LIBRARY_HEADING = '## Library functions';

/**
 * One function of the library section: `- lib.<name><signature>: <the doc's first line>`, then each
 * further line of the doc on its own line, indented by two spaces (a doc's lines say different
 * things: what it does, its input, each parameter, its return format; joined they read as one
 * run-on sentence). Blank doc lines are dropped; no continuation line starts with `- lib.`.
 */
export function listingLine(f: LibraryListing): string {
  const [first = '', ...rest] = f.doc
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return [`- lib.${f.name}${f.signature}: ${first}`.trimEnd(), ...rest.map((l) => `  ${l}`)].join('\n');
}

/**
 * The checked form a listed function may offer (its doc says so): called with `{ checked: true }`
 * in its options, it returns the JSON text of `{ answer, pieces, failures }`.
 */
export const CHECKED_FORM = {
  option: '{ checked: true }',
  fields: ['answer', 'pieces', 'failures'] as const,
} as const;

/**
 * The library section's text above the listing: what the functions are and how to judge fit. No
 * line starts with `- lib.` (that prefix marks a listing line).
 */
export const LIBRARY_INTRO = `Tested orchestrators mined from earlier runs, listed because they look relevant to this query
(every lib function stays callable). Judge the fit before you call one:
- Use one when the query asks for what its doc says it does and returns, and the input has the
  shape its doc expects (the delimiter, the JSON shape); pass each parameter what its doc asks
  for (an instruction for each piece is not the user's whole question unless the doc says so).
- Do not use one when the task differs — another question, another input format, another answer
  format — or when its doc says not to (its "Not for" line may quote questions it was not made
  for: compare yours with those and with the ones it was mined from); write your own code then.
  A near fit returns a confident, wrong answer.
- When the query and the input as the first message describes it (for text: how it begins, the
  line starts that recur) match a function's doc, and its Returns line is the answer format the
  query asks for, call it and hand its answer to FINAL in the same block:
  FINAL(await lib.<name>(context, ...)). When unsure, look at the input first, call the function,
  and check its result (print a part of it) before FINAL; adapt its result to the answer format
  the query asks for.
- A function whose doc mentions a checked form takes ${CHECKED_FORM.option} in its options and returns
  the JSON text of { ${CHECKED_FORM.fields.join(', ')} } instead: JSON.parse it; when failures is not empty,
  redo just those pieces yourself (llm(piece.query, piece.context)) and combine them with the answer.
- A function whose own final check fails throws an error saying "${CHECK_FAILED}", with the answer
  it computed: do not pass that answer on; call it again with other options or write your own code.`;

/** The names of the functions a system prompt lists (its library section's `- lib.<name>` lines). */
export function listedNames(systemPrompt: string): string[] {
  const at = systemPrompt.indexOf(LIBRARY_HEADING);
  if (at < 0) return [];
  return systemPrompt
    .slice(at)
    .split('\n')
    .flatMap((l) => {
      const m = /^- lib\.([A-Za-z_$][\w$]*)/.exec(l);
      return m ? [m[1]] : [];
    });
}
