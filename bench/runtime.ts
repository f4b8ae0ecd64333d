/**
 * The runtime benchmark as a script: `npx tsx bench/runtime.ts [--json]` (the same as
 * `accrete bench runtime`); BENCH_DATABASE_URL (or TEST_DATABASE_URL) adds a Postgres server.
 * The harness is src/eval/runtime-bench.ts.
 */
import { benchRuntime, renderRuntimeBench } from '../src/eval/runtime-bench.js';

const r = await benchRuntime({ serverUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL });
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(r, null, 2)}\n` : renderRuntimeBench(r));
process.exit(0);
