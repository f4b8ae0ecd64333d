/** A local OpenAI-compatible server with scripted models, reached through the real openai client. */
import { expect } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { createRuntime, type RunInput } from '../../src/runtime/runtime.js';
import type { ModelClient } from '../../src/models/types.js';
import { type FaultPlan, startModelServer } from '../../src/sim/server.js';

export interface ScriptedServer {
  url: string;
  /** Runtime options that point the real openai client at the server. */
  models: { model: string; subModel: string; openai: { baseURL: string; apiKey: string; maxRetries: number; timeoutMs: number } };
  requests(): number;
  close(): Promise<void>;
}

/** js(...) wraps code in a fenced block, as a model would write it. */
export const js = (code: string, prose = ''): string => `${prose}${prose ? '\n' : ''}\`\`\`js\n${code}\n\`\`\``;

export async function scriptedServer(
  root: string[],
  sub: string[] = ['ok'],
  opts: { faults?: FaultPlan; maxRetries?: number; timeoutMs?: number; rootRepeats?: boolean } = {},
): Promise<ScriptedServer> {
  const server = await startModelServer({
    models: {
      'test-root': new ScriptedModel({ responses: root, whenExhausted: opts.rootRepeats ? 'repeat' : 'error', name: 'test-root' }),
      'test-sub': new ScriptedModel({ responses: sub, whenExhausted: 'repeat', name: 'test-sub' }),
    },
    faults: opts.faults,
  });
  return {
    url: server.url,
    models: {
      model: 'test-root',
      subModel: 'test-sub',
      openai: { baseURL: server.url, apiKey: 'sk-test-key-that-must-not-be-logged', maxRetries: opts.maxRetries ?? 2, timeoutMs: opts.timeoutMs ?? 10_000 },
    },
    requests: () => server.requests,
    close: () => server.close(),
  };
}

/**
 * A model that answers `answers` times ("answer 1", ...), then waits until its caller goes away;
 * `hanging` resolves when it starts waiting (the moment to kill or interrupt the run).
 */
export function hangingModel(answers: number, name = 'test-sub'): { model: ModelClient; hanging: Promise<void> } {
  let calls = 0;
  let reached: () => void = () => {};
  const hanging = new Promise<void>((resolve) => (reached = resolve));
  const model: ModelClient = {
    model: name,
    provider: 'test',
    async complete(req) {
      calls++;
      if (calls > answers) {
        reached();
        await new Promise<void>((_resolve, reject) => req.signal?.addEventListener('abort', () => reject(new Error('the caller went away')), { once: true }));
      }
      return { text: `answer ${calls}`, finishReason: 'stop', usage: { inputTokens: 100 + calls, outputTokens: 7 } };
    },
  };
  return { model, hanging };
}

/**
 * Runs one scripted root turn (`response`, usually js(...)) through the logged runtime with the
 * simulated leaf, and returns the run's id; fails the test unless the run succeeded.
 */
export async function runScripted(db: Database, response: string, run: { query: string; context: RunInput['context'] }): Promise<string> {
  const root = new ScriptedModel({ responses: [response], whenExhausted: 'error', name: 'script' });
  const runtime = await createRuntime({ db, model: root, subModel: 'sim:leaf?seed=3&errorRate=0', library: false });
  try {
    const s = await runtime.run(run);
    expect(s.status, s.error ?? '').toBe('succeeded');
    return s.runId;
  } finally {
    await runtime.close();
  }
}
