import { fromBase64, fromHex, toBase64 } from "../lib/bytes";

// How vectors are kept as bytes. Float32 arrays are little-endian on every machine
// Workers run on (x86-64, arm64), so a Float32Array's buffer is the stored form as is.

/** The vector scaled to length 1 (cosine similarity of unit vectors is their dot product); a zero vector stays zero. */
export function unit(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values as ArrayLike<number>);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

export const float32Bytes = (values: Float32Array) =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/** A float32 vector from its bytes (copied, so the result is aligned whatever the source). */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export const float32FromHex = (hex: string) => float32FromBytes(fromHex(hex));

/**
 * The int8 code of a unit vector: `code[i] × scale ≈ values[i]`, and `error` = ‖values −
 * code × scale‖. For a unit query q, Cauchy–Schwarz bounds the exact score by the code's:
 * |q·v − q·(code × scale)| ≤ error. That is what lets the D1 store scan 1 byte a dimension
 * and still return exactly the top k (worker/vectors/d1-store.ts).
 */
export function quantize(values: Float32Array): { code: string; scale: number; error: number } {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  const scale = max > 0 ? max / 127 : 1;
  const code = new Int8Array(values.length);
  let error = 0;
  for (let i = 0; i < values.length; i++) {
    code[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scale)));
    const diff = values[i]! - code[i]! * scale;
    error += diff * diff;
  }
  // Rounded up a little: float32 arithmetic in the scan must not make the bound too tight.
  return { code: toBase64(new Uint8Array(code.buffer)), scale, error: Math.sqrt(error) * (1 + 1e-6) + 1e-7 };
}

/**
 * A unit query as whole numbers within ±`limit` for the int8 scan (worker/vectors/dot.ts):
 * `code × scale ≈ values`, and `rest` = ‖values − code × scale‖, rounded up like `quantize`'s
 * error. With int16 codes `rest` is ~1/250 of an int8 code's error: it widens the scan's
 * bounds by little.
 */
export function quantizeQuery(values: Float32Array, limit: number): { code: Int16Array; scale: number; rest: number } {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  const scale = max > 0 ? max / limit : 1;
  const code = new Int16Array(values.length);
  let rest = 0;
  for (let i = 0; i < values.length; i++) {
    code[i] = Math.max(-limit, Math.min(limit, Math.round(values[i]! / scale)));
    const diff = values[i]! - code[i]! * scale;
    rest += diff * diff;
  }
  return { code, scale, rest: Math.sqrt(rest) * (1 + 1e-6) + 1e-7 };
}

export const codeFromBase64 = (text: string) => {
  const bytes = fromBase64(text);
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

/**
 * A vector as 4 + n bytes: its int8 scale (float32) then one int8 per dimension, a quarter
 * of float32. The shared embedding cache keeps vectors this way (docs/scale.md: it is what
 * grows D1 per distinct README). The cosine between a unit vector and its unpacked form is
 * above 0.9999 for embedding vectors (error ≤ scale / 2 per dimension), far below what
 * separates two search results.
 */
export function packInt8(values: Float32Array): Uint8Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]!));
  const scale = max > 0 ? max / 127 : 1;
  const out = new Uint8Array(4 + values.length);
  new DataView(out.buffer).setFloat32(0, scale, true);
  const code = new Int8Array(out.buffer, 4);
  for (let i = 0; i < values.length; i++) code[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scale)));
  return out;
}

/** The unit vector of `packInt8`'s bytes. */
export function unpackInt8(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const scale = new DataView(copy.buffer).getFloat32(0, true);
  const code = new Int8Array(copy.buffer, 4);
  return unit(Float32Array.from(code, (c) => c * scale));
}
