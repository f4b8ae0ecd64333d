/**
 * Secrets never reach the log: configured API keys and key-like patterns are replaced before any
 * record is written (database, spool, quarantine, import). (Text Postgres rejects — NUL, lone
 * surrogates — is cleaned where records are written: src/trace/sanitize.ts.)
 *
 * What is caught (issue 12, item 6):
 * - key-like patterns: private keys, JWTs, `Bearer …` (any case), `sk-…` (also after `_`, as in
 *   `token_sk-…`, or glued to a word when its body looks random), AWS access key ids (`AKIA`/`ASIA` + 16 or more), GitHub tokens (`ghp_`, `gho_`,
 *   `ghu_`, `ghs_`, `ghr_`, `github_pat_`), Slack tokens (`xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`);
 * - configured secrets as written, base64-encoded (standard and URL-safe, at any byte alignment,
 *   so inside a longer encoded string too), and split by zero-width characters;
 * - what a truncation leaves of a secret: output cut in the sandbox (head `… [N characters
 *   omitted] …` tail) or sliced at the end of a string may end with a key's first characters or
 *   start with its last ones. Those fragments are redacted too (`[REDACTED:truncated-…]`).
 * Text is left alone otherwise: a pattern needs its prefix not to follow a letter or digit
 * ("task-123", "risk-free" are not keys) and a body of a key's length.
 */

const TOKEN_PREFIX = String.raw`(?:sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-)`;
/** A pattern's prefix must not follow a letter or a digit (an underscore or a dash may precede it). */
const START = String.raw`(?<![A-Za-z0-9])`;

const PATTERNS: { kind: string; re: RegExp }[] = [
  { kind: 'private-key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'bearer', re: /\bbearer\s+[A-Za-z0-9._~+/=-]{12,}/gi },
  { kind: 'authorization', re: /\b(authorization\s*[:=]\s*(?:basic|token)\s+)[A-Za-z0-9._~+/=-]{12,}/gi },
  { kind: 'api-key', re: new RegExp(String.raw`${START}sk-[A-Za-z0-9_-]{16,}`, 'g') },
  // Glued to a word ("xsk-…"), only a body that looks random: 20+ characters with a digit, an upper- and a lowercase letter.
  { kind: 'api-key', re: /sk-(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])[A-Za-z0-9_-]{20,}/g },
  { kind: 'aws-key', re: new RegExp(String.raw`${START}A[KS]IA[0-9A-Z]{16,}`, 'g') },
  { kind: 'github-token', re: new RegExp(String.raw`${START}(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})`, 'g') },
  { kind: 'slack-token', re: new RegExp(String.raw`${START}xox[abposr]-[A-Za-z0-9-]{10,}`, 'g') },
];

/** Cheap pre-check so the regexes only run on text that could hold a secret. */
const MAYBE = /BEGIN|eyJ|bearer|authorization|sk-|A[KS]IA|gh[pousr]_|github_pat_|xox[abposr]-/i;

/** Zero-width characters (and the soft hyphen), which hide a secret from a plain substring match. */
const ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/g;
const HAS_ZERO_WIDTH = /[\u00AD\u180E\u200B-\u200F\u2060-\u2064\uFEFF]/;

/** The marker the sandbox puts where it cut a step's output (src/sandbox/prelude.ts). */
const OMITTED = String.raw`\n\.\.\. \[\d+ characters omitted\] \.\.\.\n`;
const HAS_OMITTED = new RegExp(OMITTED);
/**
 * A known key prefix cut off by the marker (whatever precedes it: a fragment next to a cut is dropped
 * rather than risked), or by the end of the string (4 or more characters of its body there).
 */
const CUT_PREFIX = new RegExp(
  String.raw`(?:${TOKEN_PREFIX}[A-Za-z0-9_-]*|[Bb][Ee][Aa][Rr][Ee][Rr]\s+[A-Za-z0-9._~+/=-]*)(?=${OMITTED})|${START}(?:sk-|gh[pousr]_|github_pat_|xox[abposr]-)[A-Za-z0-9_-]{4,}$`,
  'g',
);
/** Right after the marker: a long run of key characters with letters and digits may be a key's tail. */
const CUT_SUFFIX = new RegExp(String.raw`(${OMITTED})(?=[A-Za-z0-9_-]{16,})(?=[A-Za-z_-]*[0-9])(?=[0-9_-]*[A-Za-z])[A-Za-z0-9_-]+`, 'g');
const OMITTED_ALL = new RegExp(OMITTED, 'g');

/** The shortest fragment of a configured secret redacted next to the sandbox's marker, and at the end of a string. */
const MIN_FRAGMENT = 4;
const MIN_END_FRAGMENT = 6;

/**
 * The parts of base64(x + secret + y) that depend on the secret alone, for each byte alignment
 * (0, 1 or 2 bytes before it), in the standard and URL-safe alphabets.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>();
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64').replace(/=+$/, '');
    const from = Math.ceil((8 * lead) / 6);
    const to = Math.floor((8 * (lead + bytes.length)) / 6);
    const core = encoded.slice(from, to);
    if (core.length < 8) continue;
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Texts at least this long are remembered once redacted (shorter ones cost less to redo than to look up). */
const MEMO_MIN_CHARS = 512;
/** No single text longer than this is remembered, nor more than MEMO_MAX_CHARS in all (oldest forgotten first). */
const MEMO_MAX_TEXT = 1 << 20;
const MEMO_MAX_CHARS = 16 << 20;

/**
 * The length of the longest start of `secret` (at least `min` characters, not all of it) that `text`
 * ends with, or 0. Each length is compared by one character first: slicing the secret at every length
 * for every text logged cost ~15 µs a record with a configured key.
 */
function headBefore(secret: string, text: string, min: number): number {
  const last = text.charCodeAt(text.length - 1);
  for (let n = Math.min(secret.length - 1, text.length); n >= min; n--) if (secret.charCodeAt(n - 1) === last && text.endsWith(secret.slice(0, n))) return n;
  return 0;
}

/** The length of the longest end of `secret` (MIN_FRAGMENT characters or more, not all of it) that `text` starts with, or 0. */
function tailAfter(secret: string, text: string): number {
  const first = text.charCodeAt(0);
  for (let n = Math.min(secret.length - 1, text.length); n >= MIN_FRAGMENT; n--) if (secret.charCodeAt(secret.length - n) === first && text.startsWith(secret.slice(secret.length - n))) return n;
  return 0;
}

export class Redactor {
  private readonly secrets: string[];
  private readonly encoded: string[];
  /**
   * Texts already redacted, and what they became. A run logs each root call with the whole history
   * so far, so without it every step redacted every earlier message again (~0.5 ms a step by step 60).
   */
  private readonly memo = new Map<string, string>();
  private memoChars = 0;

  constructor(secrets: (string | undefined)[] = []) {
    const given = secrets.filter((s): s is string => typeof s === 'string').map((s) => s.replace(ZERO_WIDTH, '').trim());
    this.secrets = [...new Set(given.filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);
    this.encoded = [...new Set(this.secrets.flatMap(base64Forms))].filter((f) => !this.secrets.includes(f));
  }

  /** Redacts one string. */
  text(s: string): string {
    if (s.length < MEMO_MIN_CHARS || s.length > MEMO_MAX_TEXT) return this.redact(s);
    const known = this.memo.get(s);
    if (known !== undefined) return known;
    const out = this.redact(s);
    this.memo.set(s, out);
    this.memoChars += s.length;
    for (const [k] of this.memo) {
      if (this.memoChars <= MEMO_MAX_CHARS) break;
      this.memo.delete(k);
      this.memoChars -= k.length;
    }
    return out;
  }

  private redact(s: string): string {
    const out = this.plain(s);
    if (!HAS_ZERO_WIDTH.test(out)) return out;
    // A secret split by zero-width characters: match on the text without them.
    const stripped = out.replace(ZERO_WIDTH, '');
    const redacted = this.plain(stripped);
    return redacted === stripped ? out : redacted;
  }

  private plain(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED:configured-key]');
    for (const form of this.encoded) if (out.includes(form)) out = out.split(form).join('[REDACTED:configured-key-base64]');
    const maybe = MAYBE.test(out);
    if (maybe) for (const { kind, re } of PATTERNS) out = out.replace(re, kind === 'authorization' ? `$1[REDACTED:${kind}]` : `[REDACTED:${kind}]`);
    return this.cuts(out, maybe);
  }

  /**
   * What a truncation left of a secret: before the sandbox's omitted-marker, after it, and at the end.
   * `maybe`: whether the text (before the patterns ran) could hold a key-like prefix; every prefix
   * CUT_PREFIX looks for is one MAYBE finds, so without one there is nothing for it to cut.
   */
  private cuts(s: string, maybe: boolean): string {
    let out = maybe ? s.replace(CUT_PREFIX, '[REDACTED:truncated-key]') : s;
    if (HAS_OMITTED.test(out)) out = out.replace(CUT_SUFFIX, '$1[REDACTED:truncated-key]');
    for (const secret of this.secrets) {
      out = this.cutSecret(out, secret);
    }
    return out;
  }

  /** A configured secret's first characters before a cut (the marker or the end), or its last ones right after the marker. */
  private cutSecret(s: string, secret: string): string {
    const LABEL = '[REDACTED:truncated-configured-key]';
    let out = s;
    const end = headBefore(secret, out, MIN_END_FRAGMENT);
    if (end) out = out.slice(0, out.length - end) + LABEL;
    if (!HAS_OMITTED.test(out)) return out;
    const parts: string[] = [];
    let last = 0;
    for (const m of out.matchAll(OMITTED_ALL)) {
      const at = m.index ?? 0;
      let before = out.slice(last, at);
      const cut = headBefore(secret, before, MIN_FRAGMENT);
      if (cut) before = before.slice(0, before.length - cut) + LABEL;
      parts.push(before, m[0]);
      last = at + m[0].length;
      const rest = out.slice(last);
      const lead = tailAfter(secret, rest);
      if (lead) {
        parts.push(LABEL);
        last += lead;
      }
    }
    parts.push(out.slice(last));
    return parts.join('');
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
