/** Real library git repositories in temp directories, built the way the miner's promotions leave them. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type FunctionVersion, type LibraryManifest, MANIFEST_SCHEMA } from '../../src/library/format.js';

export interface FunctionSpec {
  name: string;
  version: string;
  source: string;
  signature?: string;
  doc?: string;
}

function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  return env;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export class TestRepo {
  readonly dir: string;
  private manifest: LibraryManifest = { schema: MANIFEST_SCHEMA, functions: {} };

  constructor(parent?: string) {
    this.dir = parent ?? mkdtempSync(join(tmpdir(), 'accrete-lib-'));
    this.git('init', '-q', '-b', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false', ...args], { cwd: this.dir, encoding: 'utf8', env: gitEnv() }).trim();
  }

  write(path: string, text: string): void {
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }

  /** Adds or updates functions (source file and manifest entry) and commits on the current branch. */
  commitFunctions(fns: FunctionSpec[], message = 'library'): string {
    for (const f of fns) {
      this.write(`src/${f.name}.ts`, f.source);
      const prev = this.manifest.functions[f.name];
      const v: FunctionVersion = {
        version: f.version,
        signature: f.signature ?? '(context: string) => Promise<string>',
        params: [{ name: 'context', type: 'string' }],
        doc: f.doc ?? `${f.name} does its job.`,
        clusterId: 'c1',
        sourceRunIds: [],
        support: 3,
        successRate: 1,
        gain: 100,
        coverage: 1,
        sourceHash: sha256(f.source),
        skeleton: '',
        createdAt: '2025-01-01T00:00:00.000Z',
      };
      this.manifest.functions[f.name] = { name: f.name, version: f.version, versions: [...(prev?.versions ?? []).filter((x) => x.version !== f.version), v] };
    }
    this.write('manifest.json', `${JSON.stringify(this.manifest, null, 2)}\n`);
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** Reads back the manifest of the current checkout (after switching branches). */
  reloadManifest(manifest: LibraryManifest): void {
    this.manifest = structuredClone(manifest);
  }

  snapshotManifest(): LibraryManifest {
    return structuredClone(this.manifest);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `export async function <name>(context: string) { <body> }` */
export const fnSource = (name: string, body: string, params = 'context: string'): string =>
  `/** ${name} from the tests. */\nexport async function ${name}(${params}): Promise<unknown> {\n${body}\n}\n`;
