import { describe, expect, it } from "vitest";
import { Int8Dots } from "./dot";
import { kthLargest } from "./d1-store";

/** Deterministic integers in [low, high] (an LCG: the test needs variety, not quality). */
function integers(seed: number, count: number, low: number, high: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return low + (s % (high - low + 1));
  });
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

// These run the checked-in dot.wasm (workerd compiles only imported modules, so a test here
// cannot build one from dot-wasm.ts's bytes); `node worker/vectors/dot-wasm.ts --check` says
// whether the file is what the assembler makes.
describe("Int8Dots (dot.wasm)", () => {
  it(
    "gives the exact integer dot product of every code with the query, " +
      "for dimensions that are not a multiple of 16",
    () => {
      for (const dims of [1, 15, 16, 17, 1024, 1030]) {
        const count = 37;
        const store = new Int8Dots(count, dims);
        const codes = Array.from({ length: count }, (_, v) => integers(v + dims, dims, -127, 127));
        for (const [v, code] of codes.entries()) store.set(v, Int8Array.from(code));
        const limit = store.queryLimit;
        const query = integers(dims, dims, -limit, limit);
        expect(Array.from(store.dots(query))).toEqual(codes.map((code) => dot(code, query)));
      }
    },
  );

  it("keeps the largest possible sum inside int32 at the query limit, up to 3,072 dimensions", () => {
    for (const dims of [1024, 1536, 3072]) {
      const store = new Int8Dots(2, dims);
      store.set(0, new Int8Array(dims).fill(127));
      store.set(1, new Int8Array(dims).fill(-127));
      const limit = store.queryLimit;
      const [high, low] = store.dots(new Array<number>(dims).fill(limit));
      expect(high).toBe(127 * limit * dims);
      expect(low).toBe(-127 * limit * dims);
    }
  });
});

describe("kthLargest", () => {
  it("is the k-th value of a descending sort, duplicates included", () => {
    const values = integers(3, 1000, -500, 500);
    const sorted = [...values].sort((a, b) => b - a);
    for (const k of [1, 2, 10, 100, 999, 1000]) expect(kthLargest(values, k)).toBe(sorted[k - 1]);
    expect(kthLargest([5, 5, 5, 1], 3)).toBe(5);
  });
});
