/** The JSONL that `accrete submit` reads: every line checked, each problem named with its line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBatchFile } from '../../src/batch/input.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'accrete-batch-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the batch file', () => {
  it('reads contexts inline, from files (relative to the JSONL) and from URLs; stores each once by hash', async () => {
    writeFileSync(join(dir, 'tickets.txt'), 'refund please\nthanks\n');
    writeFileSync(join(dir, 'data.json'), '{"rows": [1, 2]}');
    const text = [
      JSON.stringify({ query: 'How many refunds?', contextFile: 'tickets.txt', metadata: { case: 1 } }),
      '',
      JSON.stringify({ query: 'Same input, again', context: 'refund please\nthanks\n', model: 'gpt-5-mini', budgets: { maxIterations: 4 } }),
      JSON.stringify({ query: 'Sum the rows', contextFile: 'data.json' }),
      JSON.stringify({ query: 'Fetched', contextUrl: 'https://example.test/a.txt' }),
      JSON.stringify({ query: 'No input at all' }),
    ].join('\n');
    const { lines, problems } = await readBatchFile(text, { baseDir: dir, fetchText: async () => new TextEncoder().encode('from the web') });
    expect(problems).toEqual([]);
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5, 6]);
    expect(lines[0].context.sha256).toBe(lines[1].context.sha256);
    expect(lines[0].metadata).toEqual({ case: 1 });
    expect(lines[1].budgets).toEqual({ maxIterations: 4 });
    expect(lines[2].context.kind).toBe('json');
    expect(lines[3].context.text).toBe('from the web');
    expect(lines[4].context.bytes.length).toBe(0);
  });

  it('reports every bad line with its number and what to fix', async () => {
    const text = [
      'not json',
      JSON.stringify({ query: '' }),
      JSON.stringify({ query: 'q', qurey: 'typo' }),
      JSON.stringify({ query: 'q', context: 'a', contextFile: 'b' }),
      JSON.stringify({ query: 'q', contextFile: 'missing.txt' }),
      JSON.stringify({ query: 'q', contextUrl: 'ftp://x' }),
      JSON.stringify({ query: 'q', budgets: { maxIterations: -1 } }),
      JSON.stringify({ query: 'q', budgets: { maxIters: 3 } }),
      JSON.stringify({ query: 'q', metadata: [1] }),
      JSON.stringify({ query: 'q', model: 'sim:rooot' }),
      JSON.stringify({ query: 'fine' }),
      JSON.stringify({ query: 'q', contextUrl: 'https://unreachable.test/' }),
    ].join('\n');
    const { lines, problems } = await readBatchFile(text, {
      baseDir: dir,
      checkModel: (spec) => (spec.startsWith('sim:rooot') ? 'unknown simulated model' : null),
      fetchText: async () => {
        throw new Error('getaddrinfo ENOTFOUND unreachable.test');
      },
    });
    expect(lines.map((l) => l.line)).toEqual([11]);
    const byLine = Object.fromEntries(problems.map((p) => [p.line, p.error]));
    expect(Object.keys(byLine).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    expect(byLine[1]).toMatch(/not valid JSON/);
    expect(byLine[2]).toMatch(/"query" must be a non-empty string/);
    expect(byLine[3]).toMatch(/unknown field "qurey"; the fields are query, context/);
    expect(byLine[4]).toMatch(/give the input once: context and contextFile/);
    expect(byLine[5]).toMatch(/cannot read contextFile .*missing\.txt: no such file/);
    expect(byLine[6]).toMatch(/http\(s\) URL/);
    expect(byLine[7]).toMatch(/budget "maxIterations" must be a non-negative number/);
    expect(byLine[8]).toMatch(/unknown budget "maxIters"; the budgets are maxIterations/);
    expect(byLine[9]).toMatch(/"metadata" must be an object/);
    expect(byLine[10]).toMatch(/"model": unknown simulated model/);
    expect(byLine[12]).toMatch(/cannot fetch contextUrl .*ENOTFOUND/);
  });

  it('an empty file is a problem, not an empty batch', async () => {
    expect((await readBatchFile('\n\n', { baseDir: dir })).problems[0].error).toMatch(/no queries/);
  });

  it('on the embedded database, submit says batches need a server and how to start one (exit 2)', async () => {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, JSON.stringify({ query: 'q' }));
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (errors.push(String(chunk)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'accrete', 'submit', file, '--db', join(dir, 'db')]);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(2);
    expect(errors.join('')).toMatch(/batches run on a Postgres server .* DATABASE_URL=postgres:\/\/.*accrete worker/);
  });
});
