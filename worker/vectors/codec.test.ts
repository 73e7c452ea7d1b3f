import { describe, expect, it } from "vitest";
import { codeFromBase64, packInt8, quantize, quantizeQuery, unit, unpackInt8 } from "./codec";

function vector(seed: number, dims: number, sparse = false): Float32Array {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return unit(Float32Array.from({ length: dims }, (_, i) => (sparse && i % 9 !== 0 ? 0 : next())));
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};

describe("vector codecs", () => {
  it("packInt8: a quarter of float32, and the unpacked vector within 0.9999 cosine of the original", () => {
    for (const [seed, sparse] of [
      [1, false],
      [2, true],
      [3, false],
    ] as const) {
      const v = vector(seed, 1024, sparse);
      const packed = packInt8(v);
      expect(packed.byteLength).toBe(4 + 1024);
      const back = unpackInt8(packed);
      expect(dot(back, back)).toBeCloseTo(1, 5);
      expect(dot(v, back)).toBeGreaterThan(0.9999);
    }
  });

  it("quantize: the code's score is within the stored error of the exact score, for any unit query", () => {
    const v = vector(5, 1024);
    const { code, scale, error } = quantize(v);
    const c = codeFromBase64(code);
    for (let seed = 10; seed < 60; seed++) {
      const q = vector(seed, 1024);
      const approx = dot(c, q) * scale;
      expect(Math.abs(dot(v, q) - approx)).toBeLessThanOrEqual(error);
    }
    // The query along the error itself reaches the bound (Cauchy–Schwarz is tight).
    const residual = unit(Float32Array.from(v, (x, i) => x - c[i]! * scale));
    expect(Math.abs(dot(v, residual) - dot(c, residual) * scale)).toBeCloseTo(error, 4);
  });

  it("quantizeQuery: whole numbers within the limit, and rest = ‖values − code × scale‖ (rounded up)", () => {
    for (const [seed, sparse] of [
      [7, false],
      [8, true],
    ] as const) {
      const q = vector(seed, 1024, sparse);
      const { code, scale, rest } = quantizeQuery(q, 16383);
      expect(Math.max(...Array.from(code, Math.abs))).toBe(16383);
      let sum = 0;
      for (let i = 0; i < q.length; i++) sum += (q[i]! - code[i]! * scale) ** 2;
      expect(rest).toBeGreaterThanOrEqual(Math.sqrt(sum));
      expect(rest).toBeLessThan(Math.sqrt(sum) * 1.001 + 1e-6);
      // int16 leaves far less behind than int8's code of the same vector.
      expect(rest).toBeLessThan(quantize(q).error / 50);
    }
  });
});
