/**
 * Secrets never reach the log: configured API keys and key-like patterns are replaced before any
 * record is written (database or spool). (Text Postgres rejects — NUL, lone surrogates — is
 * cleaned where records are written: src/trace/sanitize.ts.)
 */

const PATTERNS: { kind: string; re: RegExp }[] = [
  { kind: 'private-key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer', re: /\bBearer\s+[A-Za-z0-9._~+/=-]{12,}/g },
  { kind: 'api-key', re: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { kind: 'aws-key', re: /\bAKIA[0-9A-Z]{16}\b/g },
];

/** Cheap pre-check so the regexes only run on text that could hold a secret. */
const MAYBE = /BEGIN|eyJ|Bearer|sk-|AKIA/;

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: (string | undefined)[] = []) {
    this.secrets = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8))];
  }

  /** Redacts one string. */
  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED:configured-key]');
    if (MAYBE.test(out)) for (const { kind, re } of PATTERNS) out = out.replace(re, `[REDACTED:${kind}]`);
    return out;
  }

  /** Redacts every string inside a JSON-like value (objects, arrays); other values pass through. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.deep(v);
      return out as T;
    }
    return value;
  }
}

/** The keys of the environment that a deployment would configure. */
export function configuredSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.entries(env)
    .filter(([k, v]) => v && /(API_KEY|TOKEN|SECRET|PASSWORD)$/.test(k))
    .map(([, v]) => v as string);
}
