/**
 * The families benchmark as a script: `npx tsx bench/families.ts [--json]` (the same as
 * `accrete bench families` with its defaults). The harness is src/eval/families.ts.
 */
import { runFamiliesBench } from '../src/eval/families.js';
import { summaryTable } from '../src/eval/scoring.js';

const { report } = await runFamiliesBench();
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  const t = summaryTable(report);
  process.stdout.write(`${[t.header, ...t.rows].map((r) => r.join('\t')).join('\n')}\n`);
}
process.exit(0);
