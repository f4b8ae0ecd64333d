/**
 * The leaf model's mistakes: a plausible wrong answer of the same shape (a miscount, a wrong
 * label, a dropped record, a missed or invented fact). Always differs from the right answer.
 */
import type { Rng } from '../rng.js';
import { parseEmbeddedJson } from '../scoring.js';
import type { LeafRequestKind } from './answer.js';
import { KNOWN_LABELS } from './classify.js';

function dropOneLine(answer: string, rng: Rng): string {
  const lines = answer.split('\n');
  if (lines.length <= 1) return 'NONE';
  lines.splice(rng.int(0, lines.length - 1), 1);
  return lines.join('\n');
}

function corruptJson(answer: string, rng: Rng): string | undefined {
  const value = parseEmbeddedJson(answer);
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    const copy = value.slice();
    copy.splice(rng.int(0, copy.length - 1), 1);
    return JSON.stringify(copy);
  }
  if (value && typeof value === 'object') {
    const obj = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(obj).filter((k) => typeof obj[k] === 'number');
    if (keys.length === 0) return undefined;
    const k = rng.pick(keys);
    const n = obj[k] as number;
    obj[k] = Math.max(0, n + (n === 0 || rng.chance(0.5) ? 1 : -1) * rng.int(1, 3));
    if (obj[k] === n) obj[k] = n + 1;
    return JSON.stringify(obj);
  }
  return undefined;
}

function swapLabel(answer: string, rng: Rng): string {
  const lines = answer.split('\n');
  const i = rng.int(0, lines.length - 1);
  const others = KNOWN_LABELS.filter((l) => l !== lines[i].trim());
  lines[i] = rng.pick(others);
  return lines.join('\n');
}

function fakeCode(rng: Rng): string {
  return `${rng.int(1000, 9999)}-${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}`;
}

function corruptBy(kind: LeafRequestKind, answer: string, rng: Rng): string {
  const json = corruptJson(answer, rng);
  if (json !== undefined) return json;
  switch (kind) {
    case 'needle':
      // Misses, misreads a digit, or words a negative answer differently; inventing a code is rare.
      if (/not found/i.test(answer)) return rng.chance(0.1) ? fakeCode(rng) : 'The text does not mention that code.';
      return rng.chance(0.5) ? 'NOT FOUND' : answer.replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10));
    case 'classify':
      return swapLabel(answer, rng);
    case 'qa':
      if (answer === 'NONE') return rng.chance(0.1) ? String(rng.int(1900, 2015)) : 'The documents do not say.';
      return /^\d{4}$/.test(answer) && rng.chance(0.5) ? String(Number(answer) + rng.int(1, 3)) : 'NONE';
    case 'summary':
    case 'review':
    case 'pairs':
    case 'extract':
      return dropOneLine(answer.replace(/(?<=[.!?]) (?=[A-Z])/g, '\n'), rng).replace(/\n/g, kind === 'summary' ? ' ' : '\n');
    default:
      return answer === 'NONE' ? 'I am not sure.' : 'NONE';
  }
}

export function corruptAnswer(kind: LeafRequestKind, answer: string, rng: Rng): string {
  const wrong = corruptBy(kind, answer, rng);
  return wrong !== answer ? wrong : answer === 'NONE' ? 'unknown' : 'NONE';
}
