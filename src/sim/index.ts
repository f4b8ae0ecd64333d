/**
 * src/sim - simulated models and workload families: a documented TEST DOUBLE for tests, the
 * offline demo and benchmarks, where no model weights exist. Everything here also runs unchanged
 * against real models: the simulated models see only what a real model sees (chat messages in
 * the formats of src/contracts/messages.ts), and the workloads are plain query + context tasks.
 *
 * Workloads (`FAMILIES`, `buildWorkload`): seeded generators with exact ground truth and a scorer
 * in [0, 1], 10 KB to 10 MB contexts - needle, classify-count, pairwise, multi-doc-qa, summary,
 * code-review.
 *
 * The leaf model (`SimLeafModel`, model "sim-leaf") answers `llm(query, ctx)` sub-calls: it
 * recognizes the request from its wording and does it for real, by rule, on the text it is given
 * (find a code, label / count tickets, extract people, answer a company question, keep the
 * key-finding sentences, review code). It sees only the first `window` characters of the context
 * (default 8,000), errs with a seeded rate (default 2%, a pure function of seed + request), and
 * has an optional abortable latency.
 *
 * The root model (`SimRootModel`, model "sim-root") writes RLM code: it peeks at the input, then
 * writes one decomposition program suited to the task (seeded choices of chunking, chunk size,
 * llm / llmBatch / Promise.all, names, wording, FINAL vs FINAL_VAR), sometimes with a bug it
 * repairs after the <error>; it uses a fitting `lib.*` function when the system prompt lists one,
 * and answers `FINAL(best guess)` to the ANSWER_NOW prompt. Same seed + messages, same reply.
 *
 * `runDirect` is the no-REPL baseline (one call, input truncated to the window);
 * `startModelServer` serves any ModelClients over an OpenAI-compatible HTTP API with injectable
 * faults; `createSimModels` builds a matched root/leaf pair.
 */
export type { Family, FamilyName, GenerateOptions, Task } from './types.js';
export { FAMILY_NAMES } from './types.js';
export { FAMILIES, buildWorkload, isFamilyName, scoreTask, type WorkloadOptions } from './workloads.js';
export type { NeedleExpected } from './families/needle.js';
export type { ClassifyExpected } from './families/classify-count.js';
export type { PairwiseExpected } from './families/pairwise.js';
export type { QaExpected } from './families/multi-doc-qa.js';
export type { SummaryExpected } from './families/summary.js';
export type { CodeReviewExpected } from './families/code-review.js';
export { SimLeafModel, createLeafModel, DEFAULT_LEAF_WINDOW, type LeafModelOptions } from './leaf-model.js';
export { SimRootModel, createRootModel, type RootModelOptions } from './root-model.js';
export { createSimModels, type SimModels, type SimModelsOptions } from './models.js';
export { runDirect, type DirectOptions, type DirectResult } from './direct.js';
export { startModelServer, type FaultPlan, type ModelServer, type ModelServerOptions } from './server.js';
export type { LatencyModel } from './latency.js';
export { countTokens, countMessageTokens } from './tokens.js';
export { Rng, createRng, hashString, seedOf } from './rng.js';
export { createSimModelFromSpec, parseSimSpec, registerSimProvider, type SimSpec } from './spec.js';
