/** The CLI's one configuration resolution: flag, then environment variable, then default. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dbLocation, libraryDir, openaiConfig, readEnvironment } from '../../src/cli/config.js';

describe('configuration', () => {
  it('reads the variables accrete understands, ignoring blank ones', () => {
    const env = readEnvironment({ ACCRETE_DB: ' ', DATABASE_URL: 'postgres://h/db', ACCRETE_MODEL: 'm', OPENAI_BASE_URL: 'http://h/v1', ACCRETE_LIBRARY_DIR: '/lib', CI: '1' });
    expect(env).toMatchObject({ db: 'postgres://h/db', model: 'm', baseURL: 'http://h/v1', libraryDir: '/lib', ci: true, debug: false, github: undefined });
  });

  it('resolves the database, the library and the endpoint: flag, then environment, then default', () => {
    const env = readEnvironment({ ACCRETE_DB: '/env/db', ACCRETE_LIBRARY_DIR: '/env/lib', OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'http://env/v1' });
    const none = readEnvironment({});
    expect(dbLocation('/flag/db', env)).toBe('/flag/db');
    expect(dbLocation(undefined, env)).toBe('/env/db');
    expect(dbLocation(undefined, none)).toBe('./.accrete/db');
    expect(libraryDir('/flag/lib', env)).toBe('/flag/lib');
    expect(libraryDir(undefined, env)).toBe('/env/lib');
    expect(libraryDir(undefined, none)).toBe(join(process.cwd(), '.accrete', 'library'));
    expect(openaiConfig({ baseUrl: 'http://flag/v1', retries: 1 }, env)).toEqual({ apiKey: 'sk-test', baseURL: 'http://flag/v1', timeoutMs: undefined, maxRetries: 1 });
    expect(openaiConfig({}, none)).toEqual({ apiKey: undefined, baseURL: undefined, timeoutMs: undefined, maxRetries: undefined });
  });
});
