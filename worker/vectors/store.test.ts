import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import { vectors, vectorValues } from "../db/schema";
import { FakeVectorize } from "../test/fake-vectorize";
import { packInt8, unpackInt8 } from "./codec";
import { D1VectorStore } from "./d1-store";
import { userNamespace, vectorId, type StoredVector, type VectorStore } from "./store";
import { VectorizeStore } from "./vectorize-store";

// One contract, both stores. D1 for real (the migrations' tables in this file's D1);
// Vectorize through FakeVectorize, a stand-in at the binding's edge only: Vectorize has no
// local simulator (miniflare only proxies the binding to Cloudflare).

const DIMS = 1024;

/** A deterministic pseudo-random vector (mulberry32), not normalised: the stores must not care. */
function randomVector(seed: number, dims = DIMS): number[] {
  let s = seed >>> 0;
  return Array.from({ length: dims }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  });
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

let nextUser = 1000;
const stores: Array<[string, () => VectorStore]> = [
  ["D1VectorStore", () => new D1VectorStore(env.DB, DIMS)],
  ["VectorizeStore (fake binding)", () => new VectorizeStore(new FakeVectorize(DIMS), DIMS)],
];

describe.each(stores)("%s", (_name, makeStore) => {
  const fresh = () => {
    const userId = nextUser++;
    return { store: makeStore(), userId, namespace: userNamespace(userId) };
  };
  const items = (userId: number, count: number, seedBase = 0): Array<StoredVector & { values: number[] }> =>
    Array.from({ length: count }, (_, i) => ({
      id: vectorId(userId, 100 + i, i % 3),
      repositoryId: 100 + i,
      values: randomVector(seedBase + i + 1),
    }));

  it("answers the exact cosine top k, best first, with the repository of each id", async () => {
    const { store, userId, namespace } = fresh();
    const stored = items(userId, 300);
    await store.upsert(namespace, stored);
    const query = randomVector(9999);
    const expected = stored
      .map((v) => ({ id: v.id, repositoryId: v.repositoryId, score: cosine(query, v.values) }))
      .sort((a, b) => b.score - a.score);
    for (const topK of [1, 10, 100]) {
      const got = await store.query(namespace, query, topK);
      expect(got.map((m) => m.id)).toEqual(expected.slice(0, topK).map((m) => m.id));
      got.forEach((m, i) => {
        expect(m.repositoryId).toBe(expected[i]!.repositoryId);
        expect(m.score).toBeCloseTo(expected[i]!.score, 5);
      });
    }
    // A stored vector is its own nearest neighbour with a score of 1.
    const self = await store.query(namespace, stored[42]!.values, 1);
    expect(self[0]).toMatchObject({ id: stored[42]!.id, repositoryId: stored[42]!.repositoryId });
    expect(self[0]!.score).toBeCloseTo(1, 5);
  });

  it(
    "answers the exact top k of vectors as the embedding cache gives them (int8, unpacked), " + "in crowded clusters",
    async () => {
      const { store, userId, namespace } = fresh();
      // Four directions shared by 100 vectors each, with a little noise: neighbouring scores are close.
      const stored = items(userId, 400).map((item, i) => {
        const base = randomVector(5000 + (i % 4));
        return {
          ...item,
          values: Array.from(unpackInt8(packInt8(Float32Array.from(base, (x, d) => x + 0.05 * item.values[d]!)))),
        };
      });
      await store.upsert(namespace, stored);
      const query = randomVector(5001).map((x, d) => x + 0.3 * randomVector(77)[d]!);
      const expected = stored
        .map((v) => ({ id: v.id, score: cosine(query, v.values) }))
        .sort((a, b) => b.score - a.score);
      const got = await store.query(namespace, query, 100);
      expect(got.map((m) => m.id)).toEqual(expected.slice(0, 100).map((m) => m.id));
      for (const [i, m] of got.entries()) expect(m.score).toBeCloseTo(expected[i]!.score, 5);
    },
  );

  it("keeps namespaces apart", async () => {
    const a = fresh();
    const b = { ...fresh(), store: a.store };
    await a.store.upsert(a.namespace, items(a.userId, 5));
    await b.store.upsert(b.namespace, items(b.userId, 5, 50));
    const got = await a.store.query(b.namespace, randomVector(1), 100);
    expect(got).toHaveLength(5);
    for (const match of got) expect(match.id.startsWith(`${b.userId}:`)).toBe(true);
    expect(await a.store.query(userNamespace(nextUser++), randomVector(1), 10)).toEqual([]);
  });

  it("replaces a vector on upsert of its id, and forgets deleted ids (absent ones ignored)", async () => {
    const { store, userId, namespace } = fresh();
    const stored = items(userId, 20);
    await store.upsert(namespace, stored);
    const target = randomVector(777);
    expect((await store.query(namespace, target, 1))[0]!.score).toBeLessThan(0.5);
    await store.upsert(namespace, [{ ...stored[3]!, values: target }]);
    const after = await store.query(namespace, target, 100);
    expect(after).toHaveLength(20);
    expect(after[0]!.id).toBe(stored[3]!.id);
    expect(after[0]!.score).toBeCloseTo(1, 5);

    await store.delete(namespace, [stored[3]!.id, stored[4]!.id, vectorId(userId, 999_999, 0)]);
    const left = await store.query(namespace, target, 100);
    expect(left.map((m) => m.id).sort()).toEqual(
      stored
        .slice(0)
        .filter((_, i) => i !== 3 && i !== 4)
        .map((v) => v.id)
        .sort(),
    );
  });

  it("refuses topK outside 1–100 and vectors of other dimensions", async () => {
    const { store, userId, namespace } = fresh();
    await expect(store.query(namespace, randomVector(1), 0)).rejects.toThrow(RangeError);
    await expect(store.query(namespace, randomVector(1), 101)).rejects.toThrow(RangeError);
    await expect(
      store.upsert(namespace, [{ id: vectorId(userId, 1, 0), repositoryId: 1, values: randomVector(1, 8) }]),
    ).rejects.toThrow(/dimensions/);
  });
});

describe("D1VectorStore", () => {
  it("sees writes made after a query (the isolate's scan is checked against the namespace's version)", async () => {
    const store = new D1VectorStore(env.DB, DIMS);
    const other = new D1VectorStore(env.DB, DIMS); // another request in the same isolate
    const namespace = userNamespace(nextUser++);
    await store.upsert(namespace, [{ id: vectorId(1, 1, 0), repositoryId: 1, values: randomVector(1) }]);
    expect(await store.query(namespace, randomVector(2), 10)).toHaveLength(1);
    await other.upsert(namespace, [{ id: vectorId(1, 2, 0), repositoryId: 2, values: randomVector(2) }]);
    const got = await store.query(namespace, randomVector(2), 10);
    expect(got.map((m) => m.id)).toEqual([vectorId(1, 2, 0), vectorId(1, 1, 0)]);
    await other.delete(namespace, [vectorId(1, 2, 0)]);
    expect((await store.query(namespace, randomVector(2), 10)).map((m) => m.id)).toEqual([vectorId(1, 1, 0)]);
    // Codes and exact values leave together.
    const db = createDb(env.DB);
    expect(await db.select({ id: vectors.id }).from(vectors).where(eq(vectors.namespace, namespace))).toEqual([
      { id: vectorId(1, 1, 0) },
    ]);
    expect(
      await db.select({ id: vectorValues.id }).from(vectorValues).where(eq(vectorValues.namespace, namespace)),
    ).toEqual([{ id: vectorId(1, 1, 0) }]);
  });
});

describe("D1VectorStore reads", () => {
  it(
    "no float32 values for vectors whose int8 code loses nothing (the embedding cache's), " +
      "and reads them for the others",
    async () => {
      const store = new D1VectorStore(env.DB, DIMS);
      const db = createDb(env.DB);
      const lossless = userNamespace(nextUser++);
      const lossy = userNamespace(nextUser++);
      const values = Array.from({ length: 50 }, (_, i) => randomVector(300 + i));
      const make = (exact: boolean) =>
        values.map((v, i) => ({
          id: vectorId(1, i + 1, 0),
          repositoryId: i + 1,
          values: exact ? Array.from(unpackInt8(packInt8(Float32Array.from(v)))) : v,
        }));
      await store.upsert(lossless, make(true));
      await store.upsert(lossy, make(false));
      const query = randomVector(301);
      const before = { lossless: await store.query(lossless, query, 10), lossy: await store.query(lossy, query, 10) };
      // Without the float32 rows, the lossless namespace answers the same; the lossy one cannot.
      await db.delete(vectorValues).where(eq(vectorValues.namespace, lossless));
      await db.delete(vectorValues).where(eq(vectorValues.namespace, lossy));
      expect(await store.query(lossless, query, 10)).toEqual(before.lossless);
      expect(before.lossy).toHaveLength(10);
      expect(await store.query(lossy, query, 10)).toEqual([]);
    },
  );
});

describe("VectorizeStore", () => {
  it("writes in batches of ≤ 1,000, queries its namespace with topK ≤ 100 and no values or metadata", async () => {
    const binding = new FakeVectorize(8);
    const store = new VectorizeStore(binding, 8);
    const stored = Array.from({ length: 2500 }, (_, i) => ({
      id: vectorId(7, i + 1, 0),
      repositoryId: i + 1,
      values: randomVector(i + 1, 8),
    }));
    await store.upsert(userNamespace(7), stored);
    expect(binding.calls.filter((c) => c.op === "upsert").map((c) => c.size)).toEqual([1000, 1000, 500]);
    const got = await store.query(userNamespace(7), randomVector(3, 8), 100);
    expect(got).toHaveLength(100);
    expect(binding.calls.find((c) => c.op === "query")?.options).toEqual({
      topK: 100,
      namespace: "u7",
      returnValues: false,
      returnMetadata: "none",
    });
    await store.delete(
      userNamespace(7),
      stored.map((v) => v.id),
    );
    expect(binding.calls.filter((c) => c.op === "deleteByIds").map((c) => c.size)).toEqual([1000, 1000, 500]);
    expect(binding.inNamespace("u7")).toEqual([]);
  });

  it("refuses an id that does not name its repository (matches carry no metadata)", async () => {
    const store = new VectorizeStore(new FakeVectorize(8), 8);
    await expect(store.upsert("u1", [{ id: "some-id", repositoryId: 1, values: randomVector(1, 8) }])).rejects.toThrow(
      /vectorId/,
    );
    await expect(
      store.upsert("u1", [{ id: vectorId(1, 2, 0), repositoryId: 3, values: randomVector(1, 8) }]),
    ).rejects.toThrow(/vectorId/);
  });
});
