/**
 * The accumulation benchmark as a script: `npx tsx bench/accumulation.ts [--json]` (the same as
 * `accrete bench accumulation`). The harness is src/eval/accumulation.ts.
 */
import { benchAccumulation, renderAccumulation } from '../src/eval/accumulation.js';

const r = await benchAccumulation({ onProgress: (t) => process.stderr.write(`${t}\n`) });
process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(r, null, 2)}\n` : `${renderAccumulation(r)}\n`);
process.exit(0);
