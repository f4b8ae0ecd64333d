/** accrete: a Recursive Language Model runtime that logs every orchestrator and learns from them. */
export { createRuntime, InputError, type Runtime, type RuntimeOptions, type RunInput } from './runtime/runtime.js';
export type { RunSummary, ProgressEvent } from './runtime/run.js';
export type { RunEvent, RunEventType } from './runtime/events.js';
export type { RunStream, Session, SessionOptions, SessionTurn } from './runtime/handles.js';
export { ToolCallError, ToolDefinitionError, type JsonSchema, type ToolCallContext, type ToolDefinition, type ToolSet } from './runtime/tools.js';
export { DEFAULT_BUDGETS, resolveBudgets, type Budgets } from './runtime/budget.js';
export type { ContextInput } from './runtime/context.js';
export { openDatabase, resolveDbLocation, type Database } from './db/connection.js';
export type { ModelClient, ChatMessage, CompletionRequest, CompletionResult } from './models/types.js';
export { resolveModel, registerModelProvider } from './models/resolve.js';
export { OpenAIChatModel } from './models/openai.js';
export { ScriptedModel } from './models/scripted.js';
/** The simulated models (a test double): call once to make `sim:root` / `sim:leaf` specs resolve. */
export { registerSimProvider } from './sim/spec.js';
export { SANDBOX_API, type SandboxName } from './contracts/sandbox-api.js';
export { buildSubCallMessages, parseSubCallMessages } from './contracts/messages.js';
export type { LibraryListing } from './contracts/listing.js';
