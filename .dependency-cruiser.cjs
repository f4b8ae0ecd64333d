/**
 * The layers of accrete, checked on every `npm test` (dependency-cruiser). One direction of
 * dependence:
 *   cli → eval → runtime, miner → trace, library, sandbox, models → db → contracts
 * src/batch (batches on pg-boss workers) sits beside eval: it runs the runtime, and neither eval nor
 * the CLI is below it.
 * sim (a test double) → models, contracts only; the miner never imports the runtime loop; nothing
 * in src or miner imports bench/ or test/; no cycles (type-only imports count).
 * src/util (package-root) is a leaf like contracts. ui (the web viewer) → db, library, contracts;
 * only the CLI imports ui.
 */
const LEAF = '^src/(contracts|util)/';
const ABOVE_DB = '^(src/(trace|library|sandbox|models|runtime|sim|eval|batch|cli|ui)/|src/index[.]ts$|miner/)';
const ABOVE_MIDDLE = '^(src/(runtime|sim|eval|batch|cli|ui)/|src/index[.]ts$|miner/)';
const ABOVE_RUNTIME = '^(src/(sim|eval|batch|cli|ui)/|src/index[.]ts$|miner/)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other (directly or through others) are one module in two files: break the cycle (move a shared type down).',
      from: { path: '^(src|miner)/' },
      to: { circular: true },
    },
    {
      name: 'contracts-import-nothing',
      severity: 'error',
      comment: 'src/contracts (and src/util) is what everyone shares; it imports nothing of the project.',
      from: { path: LEAF },
      to: { path: '^(src|miner|bench|test)/', pathNot: LEAF },
    },
    {
      name: 'db-only-contracts',
      severity: 'error',
      comment: 'src/db depends only on src/contracts.',
      from: { path: '^src/db/' },
      to: { path: ABOVE_DB },
    },
    {
      name: 'middle-not-upward',
      severity: 'error',
      comment: 'trace, library, sandbox and models sit under the runtime, the miner, eval and the CLI, and never import them (nor the simulated models).',
      from: { path: '^src/(trace|library|sandbox|models)/' },
      to: { path: ABOVE_MIDDLE },
    },
    {
      name: 'runtime-not-upward',
      severity: 'error',
      comment: 'The runtime loop imports neither the miner, the simulated models (the CLI registers them), eval nor the CLI.',
      from: { path: '^src/runtime/' },
      to: { path: ABOVE_RUNTIME },
    },
    {
      name: 'miner-not-runtime',
      severity: 'error',
      comment: 'The miner never imports the runtime loop (shared formats live in src/contracts), nor sim, eval or the CLI.',
      from: { path: '^miner/' },
      to: { path: '^(src/(runtime|sim|eval|batch|cli|ui)/|src/index[.]ts$)' },
    },
    {
      name: 'sim-only-models-and-contracts',
      severity: 'error',
      comment: 'src/sim is a test double: it depends only on src/models and src/contracts.',
      from: { path: '^src/sim/' },
      to: { path: '^(src|miner)/', pathNot: '^src/(sim|models|contracts|util)/' },
    },
    {
      name: 'eval-not-cli',
      severity: 'error',
      comment: 'src/eval is called by the CLI and bench/, and imports neither.',
      from: { path: '^src/eval/' },
      to: { path: '^src/(cli|ui)/' },
    },
    {
      name: 'ui-reads-only',
      comment: 'src/ui (the web viewer) reads the database: it depends on db, contracts, util and the library read helpers only.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^(src|miner)/', pathNot: '^src/(ui|db|contracts|util|library)/' },
    },
    {
      name: 'ui-only-from-cli',
      severity: 'error',
      comment: 'Only the CLI (accrete ui) starts the web viewer.',
      from: { path: '^(src|miner)/', pathNot: '^src/(cli|ui)/' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'batch-not-cli-eval-or-sim',
      comment: 'src/batch (submit, workers, batch status) is called by the CLI and bench/; it imports neither the CLI, eval nor the simulated models (the CLI registers them).',
      severity: 'error',
      from: { path: '^src/batch/' },
      to: { path: '^(src/(cli|ui|eval|sim)/|miner/)' },
    },
    {
      name: 'no-bench-or-test-in-product',
      severity: 'error',
      comment: 'src and miner ship; bench/ and test/ do not, so nothing in src or miner imports them.',
      from: { path: '^(src|miner)/' },
      to: { path: '^(bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};
