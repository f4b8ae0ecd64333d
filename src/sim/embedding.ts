/**
 * A simulated text embedding (test double for an embeddings endpoint): signed feature hashing of
 * lower-cased words and word bigrams, L2-normalized. Texts that share words land close together,
 * which is all tests and the offline demo need from a semantic embedding.
 */
import { hashString } from './rng.js';

export const SIM_EMBEDDING_DIM = 256;
export const SIM_EMBEDDING_MODEL = 'sim-embed';

export function simEmbed(text: string, dimensions = SIM_EMBEDDING_DIM): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const add = (feature: string, weight: number) => {
    const h = hashString(feature);
    v[h % dimensions] += h & 0x80000000 ? -weight : weight;
  };
  for (let i = 0; i < words.length; i++) {
    add(words[i], 1);
    if (i > 0) add(`${words[i - 1]} ${words[i]}`, 0.5);
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
