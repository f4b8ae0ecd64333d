/** A local OpenAI-compatible server with scripted models, reached through the real openai client. */
import { ScriptedModel } from '../../src/models/scripted.js';
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
