/**
 * The end-to-end benchmark as a script: `npx tsx bench/e2e.ts [--json] [--cli dist/src/cli/main.js]
 * [--compare before=/path/to/other/dist/src/cli/main.js] [--sizes 100,1000] [--starts 5]
 * [--drivers cli,library]`. BENCH_DATABASE_URL adds a scratch Postgres database (its runs are copied
 * to fill it), BENCH_COMPARE_DATABASE_URL another for the compared build. Build first (npm run build):
 * it runs built CLIs and libraries. The harness is src/eval/e2e-bench.ts; `accrete bench e2e` is the same.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchE2e, type E2eTarget, renderE2e } from '../src/eval/e2e-bench.js';

const { values } = parseArgs({
  options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, cli: { type: 'string' }, compare: { type: 'string' }, sizes: { type: 'string' }, starts: { type: 'string' }, drivers: { type: 'string' } },
});
if (values.help) {
  process.stdout.write(
    'npx tsx bench/e2e.ts [--json] [--cli dist/src/cli/main.js] [--compare before=OTHER/dist/src/cli/main.js]\n' +
      '                     [--sizes 100,1000] [--starts 5] [--drivers cli,library]\n' +
      'Build first (npm run build). BENCH_DATABASE_URL: a scratch Postgres database to measure too (it gets filled);\n' +
      'BENCH_COMPARE_DATABASE_URL: another for the compared build. --sizes: MB at which the step is measured again.\n',
  );
  process.exit(0);
}
const targets: E2eTarget[] = [{ label: 'accrete', cli: values.cli, serverUrl: process.env.BENCH_DATABASE_URL }];
if (values.compare) {
  const [label, cli] = values.compare.includes('=') ? values.compare.split('=', 2) : ['compared', values.compare];
  targets.unshift({ label, cli, serverUrl: process.env.BENCH_COMPARE_DATABASE_URL });
  targets[1].label = 'after';
}
const r = await benchE2e({
  targets,
  workDir: join(tmpdir(), `accrete-bench-e2e-${process.pid}`),
  starts: values.starts ? Number(values.starts) : undefined,
  sizesMb: values.sizes ? values.sizes.split(',').map(Number).filter((n) => n > 0) : undefined,
  drivers: values.drivers ? (values.drivers.split(',') as ('cli' | 'library')[]) : undefined,
  onProgress: (t) => process.stderr.write(`${t}\n`),
});
process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : renderE2e(r));
process.exit(0);
