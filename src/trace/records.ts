/** The records the trace logger writes: one row of one table each. */
import type { InferInsertModel } from 'drizzle-orm';
import type { contexts, libCalls, llmCalls, programs, runs, steps, toolCalls } from '../db/schema.js';

export type ContextRow = InferInsertModel<typeof contexts>;
export type RunRow = InferInsertModel<typeof runs>;
export type StepRow = InferInsertModel<typeof steps>;
export type ProgramRow = Omit<InferInsertModel<typeof programs>, 'seq'>;
export type LlmCallRow = InferInsertModel<typeof llmCalls>;
export type LibCallRow = InferInsertModel<typeof libCalls>;
export type ToolCallRow = InferInsertModel<typeof toolCalls>;

export type TraceRecord =
  | { table: 'contexts'; row: ContextRow }
  | { table: 'runs'; row: RunRow }
  | { table: 'steps'; row: StepRow }
  | { table: 'programs'; row: ProgramRow }
  | { table: 'llm_calls'; row: LlmCallRow }
  | { table: 'lib_calls'; row: LibCallRow }
  | { table: 'tool_calls'; row: ToolCallRow };

export { type TableName, WRITE_ORDER } from '../db/row-tables.js';

/** JSON with Dates and byte arrays tagged, for the spool. */
export function encodeRecord(rec: TraceRecord): string {
  return JSON.stringify(rec, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
    return value;
  });
}

export function decodeRecord(line: string): TraceRecord {
  return JSON.parse(line, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (typeof value.$date === 'string' && Object.keys(value).length === 1) return new Date(value.$date);
      if (typeof value.$bytes === 'string' && Object.keys(value).length === 1) return new Uint8Array(Buffer.from(value.$bytes, 'base64'));
    }
    return value;
  }) as TraceRecord;
}
