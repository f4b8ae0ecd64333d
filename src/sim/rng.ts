/**
 * Seeded randomness for the simulation: a 32-bit string hash (cyrb53 folded to 32 bits) to derive
 * seeds from any mix of numbers and strings, and a mulberry32 generator with the few helpers the
 * generators and simulated models need. Everything in src/sim that looks random goes through here,
 * so the same seed always gives the same tasks and the same model replies. The one seeded generator
 * of the project: the miner's test corpus (test/data/corpus) draws from it too.
 */

/** A 32-bit unsigned hash of a string (cyrb53 mixing). */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ (h2 >>> 3)) >>> 0;
}

/** A seed derived from several parts (order matters). */
export function seedOf(...parts: Array<string | number>): number {
  return hashString(parts.map(String).join('\u0001'));
}

/** A mulberry32 generator with helpers. Not cryptographic; fast and reproducible. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index drawn with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((a, b) => a + b, 0);
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  /** k distinct items (k is capped at the list length). */
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle(items).slice(0, Math.min(k, items.length));
  }

  /**
   * An independent generator: for a named sub-stream (its sequence depends on the label and this
   * generator's state), or, without a label, seeded from this generator's next value.
   */
  fork(label?: string | number): Rng {
    if (label === undefined) return new Rng(Math.floor(this.next() * 4294967296));
    return new Rng(hashString(String(label), this.state));
  }
}

/** A generator seeded from several parts, e.g. `createRng(seed, 'needle', sizeBytes)`. */
export function createRng(...parts: Array<string | number>): Rng {
  return new Rng(seedOf(...parts));
}

/** A number in [0, 1) that is a pure function of the parts (for per-request decisions). */
export function unitOf(...parts: Array<string | number>): number {
  return seedOf(...parts) / 4294967296;
}
