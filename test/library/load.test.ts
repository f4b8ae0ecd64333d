import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLibrarySource, compileFunction } from '../../src/library/compile.js';
import { branchName } from '../../src/library/format.js';
import { LibraryError, listingSignature, loadLibrary, parsePin } from '../../src/library/load.js';
import { fnSource, TestRepo } from './repo.js';

const repos: TestRepo[] = [];
const scratch: string[] = [];
afterAll(() => {
  for (const r of repos) r.remove();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
const repo = () => {
  const r = new TestRepo();
  repos.push(r);
  return r;
};
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'accrete-nolib-'));
  scratch.push(d);
  return d;
};

describe('loadLibrary: no library yet', () => {
  it('is undefined, without an error, for a missing directory, a plain directory, or a folder inside another repository', async () => {
    const d = tmp();
    expect(await loadLibrary({ dir: join(d, 'missing') })).toBeUndefined();
    expect(await loadLibrary({ dir: d })).toBeUndefined();
    const outer = repo();
    outer.commitFunctions([{ name: 'countLines', version: '1.0.0', source: fnSource('countLines', 'return 1;') }]);
    mkdirSync(join(outer.dir, 'library'));
    expect(await loadLibrary({ dir: join(outer.dir, 'library') })).toBeUndefined();
    // a repository with nothing merged yet
    const empty = repo();
    expect(await loadLibrary({ dir: empty.dir })).toBeUndefined();
  });

  it('but a configured pin that cannot be found is a clear error', async () => {
    await expect(loadLibrary({ dir: join(tmp(), 'missing'), pin: 'countLines@1.0.0' })).rejects.toThrow(/library pin countLines@1.0.0: there is no library repository at/);
    await expect(loadLibrary({ dir: tmp(), pin: 'abc1234' })).rejects.toThrow(/is not a git repository/);
  });
});

describe('loadLibrary: merged versions only', () => {
  const r = repo();
  const v1 = r.commitFunctions(
    [
      { name: 'countLines', version: '1.0.0', source: fnSource('countLines', '  return String(context.split("\\n").length);'), signature: '(context: string) => Promise<string>', doc: 'Counts the lines of the input.' },
      { name: 'firstWord', version: '1.0.0', source: fnSource('firstWord', '  return context.split(/\\s+/)[0];') },
    ],
    'v1',
  );
  const merged = r.snapshotManifest();
  // A proposal on its branch, never merged.
  r.git('checkout', '-q', '-b', branchName('shout', '1.0.0'));
  const branchCommit = r.commitFunctions([{ name: 'shout', version: '1.0.0', source: fnSource('shout', '  return context.toUpperCase();') }], 'proposal');
  r.git('checkout', '-q', 'main');
  r.reloadManifest(merged);
  // An uncommitted edit in the work tree is not loaded either.
  r.write('src/countLines.ts', fnSource('countLines', '  return "edited, not committed";'));

  it('reads main with git: commit, sha256 of the manifest text, merged functions compiled', async () => {
    const lib = await loadLibrary({ dir: r.dir });
    expect(lib).toBeDefined();
    expect(lib!.commit).toBe(v1);
    const manifestText = r.git('show', `${v1}:manifest.json`);
    expect(lib!.manifestHash).toBe(createHash('sha256').update(`${manifestText}\n`).digest('hex'));
    expect(lib!.functions.map((f) => `${f.name}@${f.version}`)).toEqual(['countLines@1.0.0', 'firstWord@1.0.0']);
    expect(lib!.functions[0]).toMatchObject({ signature: '(context: string): Promise<string>', doc: 'Counts the lines of the input.' });
    expect(lib!.source).toContain('lib["countLines"]');
    expect(lib!.source).not.toContain('edited, not committed');
    expect(lib!.source).not.toMatch(/\bexport\b/);
    expect(lib!.warnings).toEqual([]);
  });

  it('never loads an unmerged branch, and refuses a pin of a commit that is not on main', async () => {
    const lib = await loadLibrary({ dir: r.dir });
    expect(lib!.functions.map((f) => f.name)).not.toContain('shout');
    expect(lib!.source).not.toContain('shout');
    await expect(loadLibrary({ dir: r.dir, pin: branchCommit })).rejects.toThrow(/is not on main \(an unmerged proposal\?\)/);
    await expect(loadLibrary({ dir: r.dir, pin: 'shout@1.0.0' })).rejects.toThrow(/no commit of main has shout at version 1.0.0 \(shout is not in the history of main\)/);
  });
});

describe('loadLibrary: pins', () => {
  const r = repo();
  const c1 = r.commitFunctions([
    { name: 'countLines', version: '1.0.0', source: fnSource('countLines', '  return "old";') },
    { name: 'firstWord', version: '1.0.0', source: fnSource('firstWord', '  return "first-1";') },
  ]);
  const c2 = r.commitFunctions([{ name: 'countLines', version: '1.1.0', source: fnSource('countLines', '  return "new";') }]);
  const c3 = r.commitFunctions([{ name: 'firstWord', version: '2.0.0', source: fnSource('firstWord', '  return "first-2";') }]);

  it('loads main by default, name@version from the commit of main that had it, a commit as of that commit', async () => {
    const head = await loadLibrary({ dir: r.dir });
    expect(head!.commit).toBe(c3);
    expect(head!.functions.map((f) => `${f.name}@${f.version}`)).toEqual(['countLines@1.1.0', 'firstWord@2.0.0']);

    const pinned = await loadLibrary({ dir: r.dir, pin: 'countLines@1.0.0' });
    expect(pinned!.commit).toBe(c3);
    expect(pinned!.functions.map((f) => `${f.name}@${f.version}`)).toEqual(['countLines@1.0.0', 'firstWord@2.0.0']);
    expect(pinned!.pins).toEqual({ countLines: { version: '1.0.0', commit: c1 } });
    expect(pinned!.source).toContain('"old"');
    expect(pinned!.source).not.toContain('"new"');

    const asOf = await loadLibrary({ dir: r.dir, pin: c2.slice(0, 10) });
    expect(asOf!.commit).toBe(c2);
    expect(asOf!.functions.map((f) => `${f.name}@${f.version}`)).toEqual(['countLines@1.1.0', 'firstWord@1.0.0']);

    const both = await loadLibrary({ dir: r.dir, pin: `${c2}, firstWord@2.0.0` });
    expect(both!.functions.map((f) => `${f.name}@${f.version}`)).toEqual(['countLines@1.1.0', 'firstWord@2.0.0']);
  });

  it('says what is wrong with a pin that cannot be found', async () => {
    await expect(loadLibrary({ dir: r.dir, pin: 'countLines@3.0.0' })).rejects.toThrow(/no commit of main has countLines at version 3.0.0 \(versions on main: 1.0.0, 1.1.0\)/);
    await expect(loadLibrary({ dir: r.dir, pin: 'deadbeef' })).rejects.toThrow(/library pin deadbeef: no such commit/);
    await expect(loadLibrary({ dir: r.dir, pin: 'countLines@' })).rejects.toThrow(LibraryError);
    expect(() => parsePin('--upload-pack=x')).toThrow(/expected a commit/);
    expect(() => parsePin('a1b2c3d,e4f5a6b')).toThrow(/two commits/);
    expect(parsePin('abc1234 countLines@1.0.0')).toEqual({ commit: 'abc1234', functions: new Map([['countLines', '1.0.0']]) });
  });
});

describe('compiling library functions', () => {
  it('skips a function that does not compile, or imports, with a warning, and loads the rest', async () => {
    const r = repo();
    r.commitFunctions([
      { name: 'good', version: '1.0.0', source: fnSource('good', '  const n: number = 2;\n  return n * 2;') },
      { name: 'broken', version: '1.0.0', source: 'export async function broken(context: string {\n  return 1;\n' },
      { name: 'importer', version: '1.0.0', source: `import fs from 'node:fs';\n${fnSource('importer', '  return fs;')}` },
      { name: 'misnamed', version: '1.0.0', source: fnSource('otherName', '  return 1;') },
    ]);
    const warnings: string[] = [];
    const lib = await loadLibrary({ dir: r.dir, onWarning: (w) => warnings.push(w) });
    expect(lib!.functions.map((f) => f.name)).toEqual(['good']);
    expect(lib!.warnings).toEqual(warnings);
    expect(warnings.join('\n')).toMatch(/lib\.broken@1\.0\.0: does not compile: line 1:46: ',' expected; line 2/);
    expect(warnings.join('\n')).toMatch(/lib\.importer@1\.0\.0: library functions must not import anything/);
    expect(warnings.join('\n')).toMatch(/lib\.misnamed@1\.0\.0: src\/misnamed\.ts does not declare `export async function misnamed/);
  });

  it('strips types and export, keeps helpers private to their function, reads signature and doc from the source', () => {
    const r = compileFunction({
      name: 'sumTo',
      version: '1.2.0',
      source: `const helper = (n: number): number => n + 1;\n/** Adds up to n. */\nexport async function sumTo(context: string, n: number = 3): Promise<number> {\n  return helper(n);\n}\nexport { helper };\n`,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.fn.js).not.toMatch(/\bexport\b|: number/);
    expect(r.fn.signature).toBe('(context: string, n: number = 3): Promise<number>');
    expect(r.fn.doc).toBe('Adds up to n.');
    const src = buildLibrarySource([r.fn]);
    const lib: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
    const events: Record<string, unknown>[] = [];
    new Function('lib', 'llm', 'llmBatch', 'rlm', 'print', '__libEvent', src)(lib, null, null, null, null, async (e: Record<string, unknown>) => {
      events.push(e);
      return null;
    });
    expect(Object.keys(lib)).toEqual(['sumTo']);
    return lib.sumTo('x', 9).then((v) => {
      expect(v).toBe(10);
      expect(events.map((e) => `${e.type}:${e.name}@${e.version}`)).toEqual(['start:sumTo@1.2.0', 'end:sumTo@1.2.0']);
      expect(events[0].callId).toBe(events[1].callId);
      expect(events[1]).toMatchObject({ ok: true });
      expect(typeof events[1].durationMs).toBe('number');
    });
  });

  it('hides the event hook from library code, and a function whose top level throws breaks only itself', async () => {
    const peek = compileFunction({ name: 'peek', version: '1.0.0', source: fnSource('peek', '  return [typeof __libEvent, typeof __accrete_ev, typeof __accrete_wrap, typeof llm].join(",");') });
    const boom = compileFunction({ name: 'boom', version: '1.0.0', source: `const x = (null as unknown as { y: number }).y;\n${fnSource('boom', '  return x;')}` });
    expect(compileFunction({ name: 'llm', version: '1.0.0', source: fnSource('llm', '  return 1;') })).toMatchObject({ ok: false, error: expect.stringMatching(/"llm" is a name of the sandbox API/) });
    if (!peek.ok || !boom.ok) throw new Error('should compile');
    const lib: Record<string, (...a: unknown[]) => Promise<unknown>> = {};
    new Function('lib', 'llm', 'llmBatch', 'rlm', 'print', '__libEvent', buildLibrarySource([peek.fn, boom.fn]))(lib, () => 'x', null, null, null, async () => null);
    expect(await lib.peek('')).toBe('undefined,undefined,undefined,function');
    await expect(lib.boom('')).rejects.toThrow(/lib\.boom could not be loaded: TypeError: Cannot read properties of null/);
  });

  it('turns the manifest signature into the prompt form', () => {
    expect(listingSignature('(context: string, opts?: { chunk?: number }) => Promise<string>')).toBe('(context: string, opts?: { chunk?: number }): Promise<string>');
    expect(listingSignature('(f: (x: string) => number) => Promise<number[]>')).toBe('(f: (x: string) => number): Promise<number[]>');
    expect(listingSignature('(context: string): Promise<string>')).toBe('(context: string): Promise<string>');
  });

});
