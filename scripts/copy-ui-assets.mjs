// tsc compiles the TypeScript only: copy the web viewer's client assets (CSS, the live-update
// script) next to its compiled server, dist/src/ui/assets, so that they ship in the package.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
cpSync(join(root, 'src', 'ui', 'assets'), join(root, 'dist', 'src', 'ui', 'assets'), { recursive: true });
