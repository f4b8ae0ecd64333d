/** The files of a new library repository's first commit. */
import { primitivesDeclarations } from '../../src/contracts/sandbox-api.js';
import { MANIFEST_FILE, emptyManifest } from '../../src/library/format.js';
import { serializeManifest } from './manifest.js';
import type { ProposedFile } from './types.js';

/**
 * The sandbox primitives as globals, for editors and type checkers reading src/*.ts: the same
 * declarations the miner type-checks functions against (src/contracts/sandbox-api.ts).
 */
export const LIBRARY_DTS = `/**
 * The sandbox primitives a library function calls as free identifiers. At run time the accrete
 * runtime injects the run's own (same budgets as model code); the replay tests install stubs that
 * answer from the recorded fixtures. Library functions import nothing.
 */

${primitivesDeclarations()}`;

export const LIBRARY_README = `# accrete library

Functions mined by \`accrete mine\` from recurring programs that a root model wrote, each proposed
on its own branch through a pull request. Merged versions (on \`main\`) are what later runs can call
as \`lib.<name>(...)\`.

## Layout

| path | what |
|---|---|
| \`manifest.json\` | every function: its newest version and all earlier ones (signature, doc, cluster, source runs, support, success rate, coverage, description-length gain, sha256 of the source) |
| \`src/<name>.ts\` | one function per file: \`export async function <name>(context, ...)\`; it calls \`llm\`, \`llmBatch\`, \`rlm\` and \`print\` as free identifiers and imports nothing |
| \`test/<name>.test.ts\` | a replay test per recorded case: stub primitives answer from the logged responses; the answer and the sequence of model calls must equal the logged ones |
| \`test/fixtures/<name>/<runId>.json\` | the recorded cases (the member run's arguments, its sub-call responses keyed by sha256 of \`JSON.stringify([query, context ?? null])\`, the call sequence, the answer) |
| \`library.d.ts\`, \`tsconfig.json\`, \`package.json\` | types of the primitives; after \`npm install\`, \`npm test\` runs the replay tests and \`npm run typecheck\` checks the types |

Versions follow semver: a new function is 1.0.0, a change that keeps the signature bumps the
minor, a changed signature bumps the major. Older versions stay listed in \`manifest.json\`, and
their source is in the history of \`main\`.

## Review and merge

A proposal is a branch \`accrete/promote-<name>-<version>\` with one commit; its pull request
description holds the evidence (member runs, member programs diffed against the function, replay
results, coverage, support, description-length gain, expected savings). accrete never merges.

\`\`\`sh
git fetch origin && git checkout accrete/promote-<name>-<version>
npm install && npx vitest run        # the replay tests
git checkout main && git merge --no-ff accrete/promote-<name>-<version>   # or merge the pull request
\`\`\`

To retire a function, remove its entry from \`manifest.json\` on \`main\` (and its files). \`accrete
library list\` shows each function's status: proposed, merged or retired.
`;

export const LIBRARY_PACKAGE_JSON = `${JSON.stringify(
  {
    name: 'accrete-library',
    private: true,
    type: 'module',
    description: 'Functions mined by accrete from recurring programs; see README.md.',
    scripts: { test: 'vitest run', typecheck: 'tsc' },
    devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3', vitest: '^4.1.12' },
  },
  null,
  2,
)}\n`;

/** Type-checks the functions and their tests against library.d.ts (no DOM: `print` is the sandbox's). */
export const LIBRARY_TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ['library.d.ts', 'src', 'test'],
  },
  null,
  2,
)}\n`;

export const LIBRARY_GITIGNORE = 'node_modules\n';

export function scaffoldFiles(): ProposedFile[] {
  return [
    { path: MANIFEST_FILE, content: serializeManifest(emptyManifest()) },
    { path: 'library.d.ts', content: LIBRARY_DTS },
    { path: 'README.md', content: LIBRARY_README },
    { path: 'package.json', content: LIBRARY_PACKAGE_JSON },
    { path: 'tsconfig.json', content: LIBRARY_TSCONFIG },
    { path: '.gitignore', content: LIBRARY_GITIGNORE },
  ];
}
