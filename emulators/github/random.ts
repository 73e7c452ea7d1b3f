// Deterministic pseudo-randomness for the generated GitHub universe.
//
// Every generated value is a pure function of (seed, a tag, a few integers), so data can be
// computed lazily, in any order, and still be identical across runs with the same seed.

/** FNV-1a over a string's UTF-16 code units; used to turn tags and logins into integers. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: spreads every input bit over the whole word. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of integers (or strings) into an unsigned 32-bit integer. */
export function hash(...parts: Array<number | string>): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const value = typeof part === "string" ? hashString(part) : part;
    // Fold both halves so values above 2^32 (timestamps) still contribute all their bits.
    h = fmix(h ^ Math.imul((value >>> 0) ^ 0x5bd1e995, 0xcc9e2d51));
    h = fmix(h ^ Math.floor(value / 0x100000000));
  }
  return h;
}

/** A uniform float in [0, 1) derived from the parts. */
export function unit(...parts: Array<number | string>): number {
  return hash(...parts) / 0x100000000;
}

/** Picks from weighted choices with a uniform float in [0, 1). */
export function pickWeighted<T>(u: number, choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let threshold = u * total;
  for (const [value, weight] of choices) {
    threshold -= weight;
    if (threshold < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error("pickWeighted: no choices");
  return last[0];
}

/** A seeded sequential generator (mulberry32) for shuffles. */
export function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function permutation(n: number, seed: number): number[] {
  const next = sequence(seed);
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const a = out[i] as number;
    out[i] = out[j] as number;
    out[j] = a;
  }
  return out;
}
