/** --tools FILE (an ES module exporting custom tools) and --context-schema FILE (a JSON Schema), for run and chat. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JsonSchema, ToolSet } from '../runtime/tools.js';
import { UsageError } from './errors.js';

const TOOLS_EXAMPLE = `export default { weather: { description: '...', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, handler: async ({ city }) => ({ city, tempC: 18 }) } }`;

/** The tools an ES module exports: its default export, or an export named `tools`. */
export async function loadToolsFile(file: string): Promise<ToolSet> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`--tools ${file}: no such file. It must be an ES module (.mjs, or .js in a "type": "module" package) like: ${TOOLS_EXAMPLE}`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--tools ${file}: the module could not be loaded: ${(err as Error).message}`);
  }
  const tools = mod.tools ?? mod.default;
  if (!tools || typeof tools !== 'object' || Array.isArray(tools)) {
    throw new UsageError(`--tools ${file}: the module must export its tools as the default export or as \`tools\`: ${TOOLS_EXAMPLE}`);
  }
  return tools as ToolSet;
}

/** A JSON Schema file for --context-schema. */
export function readSchemaFile(file: string): JsonSchema {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--context-schema ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--context-schema ${file} is not valid JSON (${(err as Error).message}); it must be a JSON Schema object`);
  }
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new UsageError(`--context-schema ${file} must hold a JSON Schema object, e.g. {"type": "array", "items": {...}}`);
  return schema as JsonSchema;
}
