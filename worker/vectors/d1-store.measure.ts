import { env } from "cloudflare:workers";
import { it } from "vitest";
import { packInt8, unpackInt8 } from "./codec";
import { D1VectorStore } from "./d1-store";
import { vectorId } from "./store";

// Query time of the D1 vector store over one namespace of 10,000–40,000 vectors of 1,024
// dimensions (10,000 stars × ~3.3 chunks ≈ 33,000). Run with
//   npx vitest run --config bench/vectors.vitest.config.ts
// Three kinds of vectors: uniform random (the worst case for the scan's bounds: every score
// sits within ±0.1 of 0, so many candidates stay within the int8 error of the k-th),
// clustered like chunks of repositories (300 topics, each vector a topic plus noise), and the
// clustered ones as the embedding cache hands them to the store (int8, unpacked: lossless
// codes, so no candidate's float32 is read — what a synced library's vectors are).

const DIMS = 1024;
const TOP_K = 100;
const QUERIES = 20;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

type Kind = "random" | "clustered" | "cached";

function makeVectors(kind: Kind, count: number, seed: number): Float32Array[] {
  const random = rng(seed);
  const topics = Array.from({ length: 300 }, () => Float32Array.from({ length: DIMS }, random));
  return Array.from({ length: count }, (_, i) => {
    if (kind === "random") return Float32Array.from({ length: DIMS }, random);
    const topic = topics[i % topics.length]!;
    const values = Float32Array.from({ length: DIMS }, (_, d) => topic[d]! + 0.8 * random());
    return kind === "cached" ? unpackInt8(packInt8(values)) : values;
  });
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

it("D1 vector store: query time at 10k, 20k and 40k vectors", async () => {
  const store = new D1VectorStore(env.DB, DIMS);
  const rows: string[] = [
    "| vectors | kind | insert | cold query (scan read) p50 / p95 | warm query p50 / p95 |",
    "| ---: | --- | ---: | ---: | ---: |",
  ];
  for (const kind of ["clustered", "cached", "random"] as const) {
    const namespace = `bench-${kind}`;
    let stored = 0;
    for (const target of [10_000, 20_000, 40_000]) {
      const started = Date.now();
      const fresh = makeVectors(kind, target - stored, target);
      for (let i = 0; i < fresh.length; i += 1000) {
        await store.upsert(
          namespace,
          fresh
            .slice(i, i + 1000)
            .map((values, j) => ({ id: vectorId(1, stored + i + j, 0), repositoryId: stored + i + j, values })),
        );
      }
      stored = target;
      const insertMs = Date.now() - started;
      const queries = makeVectors(kind, QUERIES, 424242);
      const cold: number[] = [];
      const warm: number[] = [];
      for (const query of queries) {
        // A write to the namespace (deleting an id that does not exist) makes the next query read the scan again.
        await store.delete(namespace, ["none"]);
        let t = performance.now();
        await store.query(namespace, Array.from(query), TOP_K);
        cold.push(performance.now() - t);
        t = performance.now();
        await store.query(namespace, Array.from(query), TOP_K);
        warm.push(performance.now() - t);
      }
      rows.push(
        `| ${target.toLocaleString("en")} | ${kind} ` +
          `| ${(insertMs / 1000).toFixed(1)} s (+${(fresh.length / 1000).toFixed(0)}k) ` +
          `| ${percentile(cold, 50).toFixed(0)} / ${percentile(cold, 95).toFixed(0)} ms ` +
          `| ${percentile(warm, 50).toFixed(0)} / ${percentile(warm, 95).toFixed(0)} ms |`,
      );
      console.log(rows.at(-1));
    }
  }
  console.log(rows.join("\n"));
});
