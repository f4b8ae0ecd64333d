/**
 * The end-to-end benchmark's library-API driver: a process that does what a program embedding
 * accrete does — import the package's entry (its URL is the first argument, so the import is
 * measured like a user's), create a runtime, run one query, close — and prints the run's summary
 * as JSON. The options are the second argument, JSON of `LibraryDriverOptions`.
 */
export interface LibraryDriverOptions {
  query: string;
  db: string;
  model: string;
  subModel: string;
  baseURL: string;
  budgets: Record<string, number>;
  spoolDir: string;
}

interface Entry {
  createRuntime(options: Record<string, unknown>): Promise<{ run(input: { query: string; context: string }): Promise<unknown>; close(): Promise<void> }>;
}

async function main(entryUrl: string, optionsJson: string): Promise<void> {
  const o = JSON.parse(optionsJson) as LibraryDriverOptions;
  const { createRuntime } = (await import(entryUrl)) as Entry;
  const runtime = await createRuntime({
    db: o.db,
    model: o.model,
    subModel: o.subModel,
    openai: { baseURL: o.baseURL, apiKey: 'bench' },
    budgets: o.budgets,
    library: false,
    spoolDir: o.spoolDir,
  });
  try {
    process.stdout.write(`${JSON.stringify(await runtime.run({ query: o.query, context: '' }))}\n`);
  } finally {
    await runtime.close();
  }
}

const [entry, options] = process.argv.slice(2);
if (entry && options) {
  main(entry, options).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
