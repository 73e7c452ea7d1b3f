// Embeddings that carry meaning without a model: feature-hashed TF-IDF.
//
// Each term (word unigram, word bigram, CJK character bigram; see terms.ts) gets weight
// (1 + ln tf) × idf, bigrams half that; it is hashed to one of `dimensions` buckets with a
// hashed sign (so collisions cancel out on average instead of piling up), and the vector is
// L2-normalised. Cosine similarity is then TF-IDF cosine similarity: a query shares terms with
// the READMEs that talk about the same things. Pure function of (text, dimensions, corpus).
import { hash } from "../github/random.ts";
import { termCounts, type Idf } from "./terms.ts";

const BIGRAM_WEIGHT = 0.5;

export function embed(text: string, dimensions: number, idf: Idf): Float64Array {
  const vector = new Float64Array(dimensions);
  for (const [term, tf] of termCounts(text)) {
    const weight = (1 + Math.log(tf)) * idf.weight(term) * (term.startsWith("2:") ? BIGRAM_WEIGHT : 1);
    const h = hash("term", term);
    const sign = hash("sign", term) & 1 ? 1 : -1;
    vector[h % dimensions] = (vector[h % dimensions] as number) + sign * weight;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    // No terms at all (only punctuation or emoji): a fixed unit vector, still L2-normalised.
    vector[hash("empty") % dimensions] = 1;
    return vector;
  }
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) / norm;
  return vector;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes. */
export function toBase64(vector: ArrayLike<number>): string {
  return Buffer.from(new Float32Array(vector).buffer).toString("base64");
}

/** Eight decimals (about float32 precision for these magnitudes), to keep answers small. */
export function toFloats(vector: ArrayLike<number>): number[] {
  return Array.from(vector, (v) => Math.round(v * 1e8) / 1e8);
}
