/**
 * `accrete sim-server`: the simulated models (src/sim) over the OpenAI-compatible HTTP API, so
 * anything that speaks it - accrete itself with --base-url, other tools - can use them.
 */
import { type Command, Option } from 'commander';
import { createSimModels, startModelServer, type ModelServer } from '../../sim/index.js';
import { DEFAULT_LEAF_WINDOW } from '../../sim/leaf-model.js';
import { UsageError } from '../errors.js';

export const SIM_SERVER_DEFAULT_PORT = 8089;
export const SIM_ROOT_NAME = 'sim-root';
export const SIM_LEAF_NAME = 'sim-leaf';

export interface SimServerOptions {
  /** Default 8089; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  seed?: number;
  /** The leaf's window in characters (the root sizes its chunks for it). Default 8000. */
  window?: number;
  /** The leaf's error rate, 0..1. Default 0.02. */
  errorRate?: number;
  /** Fixed latency added to every model call, ms. Default 0. */
  latencyMs?: number;
}

export interface SimServer {
  /** Base URL ending in /v1. */
  url: string;
  /** The served model names. */
  models: string[];
  server: ModelServer;
  close(): Promise<void>;
}

/** Starts the server with a matched sim-root / sim-leaf pair. */
export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  const { root, leaf } = createSimModels({
    seed: options.seed ?? 0,
    leafWindow: options.window ?? DEFAULT_LEAF_WINDOW,
    errorRate: options.errorRate,
    latency: options.latencyMs ? { fixedMs: options.latencyMs } : undefined,
  });
  const port = options.port ?? SIM_SERVER_DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  let server: ModelServer;
  try {
    server = await startModelServer({ models: { [SIM_ROOT_NAME]: root, [SIM_LEAF_NAME]: leaf }, port, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use: pick another with --port N (0 for any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host ${host}: give an address of this machine with --host (e.g. 127.0.0.1 or 0.0.0.0)`);
    if (code === 'EACCES') throw new UsageError(`not allowed to listen on port ${port}: use a port above 1023 with --port N`);
    throw err;
  }
  return { url: server.url, models: [SIM_ROOT_NAME, SIM_LEAF_NAME], server, close: () => server.close() };
}

function numberArg(flag: string, opts: { min?: number; max?: number; integer?: boolean } = {}) {
  return (value: string): number => {
    const n = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(n) && (!opts.integer || Number.isInteger(n)) && n >= (opts.min ?? 0) && n <= (opts.max ?? Infinity);
    if (!ok) throw new UsageError(`${flag} must be ${opts.integer ? 'a whole number' : 'a number'} from ${opts.min ?? 0}${opts.max !== undefined ? ` to ${opts.max}` : ' up'} (got "${value}")`);
    return n;
  };
}

export function registerSimServer(program: Command): void {
  const cmd = program
    .command('sim-server')
    .description('serve the simulated models (sim-root writes RLM code, sim-leaf answers sub-calls) over an OpenAI-compatible HTTP API; runs until Ctrl-C')
    .addOption(new Option('--port <n>', 'port to listen on (0: any free port)').argParser(numberArg('--port', { max: 65535, integer: true })).default(SIM_SERVER_DEFAULT_PORT))
    .option('--host <address>', 'address to listen on (0.0.0.0 for all interfaces)', '127.0.0.1')
    .addOption(new Option('--seed <n>', 'seed of the simulated models').argParser(numberArg('--seed', { integer: true })).default(0))
    .addOption(new Option('--window <chars>', 'the leaf model\'s window: characters of a sub-call\'s context it reads (the root sizes chunks for it)').argParser(numberArg('--window', { min: 500, integer: true })).default(DEFAULT_LEAF_WINDOW))
    .addOption(new Option('--error-rate <p>', 'the leaf model\'s error rate, 0..1').argParser(numberArg('--error-rate', { max: 1 })).default(0.02))
    .addOption(new Option('--latency-ms <n>', 'latency added to every model call, ms').argParser(numberArg('--latency-ms')).default(0));
  cmd.addHelpText(
    'after',
    `
The simulated models are a test double: deterministic for a seed, no weights, no network. The
server speaks POST /v1/chat/completions (non-streaming) and GET /v1/models.

Point accrete at it:
  accrete sim-server --port 8089 &
  accrete run "How many tickets mention a refund?" --context-file tickets.txt \\
      --base-url http://127.0.0.1:8089/v1 --model sim-root --sub-model sim-leaf
Or any OpenAI client: new OpenAI({ baseURL: 'http://127.0.0.1:8089/v1', apiKey: 'any' }).`,
  );
  cmd.action(async (opts: Required<SimServerOptions>) => {
    const s = await startSimServer(opts);
    process.stdout.write(
      [
        `accrete sim-server: serving the simulated models at ${s.url}`,
        `  models: ${SIM_ROOT_NAME} (root: writes RLM code), ${SIM_LEAF_NAME} (answers llm() sub-calls; window ${opts.window} chars, error rate ${opts.errorRate}${opts.latencyMs ? `, latency ${opts.latencyMs} ms` : ''}), seed ${opts.seed}`,
        `  use it: accrete run "<query>" --context-file FILE --base-url ${s.url} --model ${SIM_ROOT_NAME} --sub-model ${SIM_LEAF_NAME}`,
        `      or: OPENAI_BASE_URL=${s.url} accrete demo --model ${SIM_ROOT_NAME} --sub-model ${SIM_LEAF_NAME}`,
        'Ctrl-C stops it.',
      ].join('\n') + '\n',
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.stderr.write(`accrete sim-server: ${signal}, closing (${s.server.requests} requests served)\n`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await s.close();
  });
}
