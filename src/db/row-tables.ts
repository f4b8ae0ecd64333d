/** The trace's tables as the row writer (src/db/rows.ts) takes them: their names, their order, rows by table. */

/** Tables in the order their rows must be written (parents first). */
export const WRITE_ORDER = ['contexts', 'runs', 'steps', 'programs', 'llm_calls', 'lib_calls', 'tool_calls'] as const;
export type TableName = (typeof WRITE_ORDER)[number];

/** Rows of one table (typed where they are made: src/trace/records.ts), as plain values that can cross a thread. */
export interface TableRows {
  table: TableName;
  rows: Record<string, unknown>[];
}
