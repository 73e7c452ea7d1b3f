import { and, eq, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import { createDb, type Db } from "../db/client";
import { vectorNamespaces, vectors, vectorValues } from "../db/schema";
import { excluded, inJsonArray } from "../db/sql";
import { codeFromBase64, float32Bytes, float32FromHex, quantize, quantizeQuery, unit } from "./codec";
import { Int8Dots } from "./dot";
import { checkTopK, type StoredVector, type VectorMatch, type VectorStore } from "./store";

/**
 * Vectors in D1 (`VECTOR_STORE=d1`): exact cosine search over one namespace, for local
 * development, tests and small self-hosts (docs/architecture.md §7).
 *
 * Why this layout (measured in workerd against local D1, 10,000 rows of 1,024 dimensions,
 * worker/vectors/d1-store.measure.ts for the figures at 10k–40k): a BLOB reaches the Worker as an array
 * of numbers — 3.5 s to read 10,000 float32 vectors, 0.7 s even as int8 — while the same
 * int8 bytes as base64 text read in ~70 ms. So a query scans only the int8 code of every
 * vector (1 byte a dimension, as text) with its scale and error bound, then reads the exact
 * float32 values (a table of their own) of the candidates whose bound could still reach the
 * top k: the answer is the exact cosine top k, with a few dozen exact reads — none when the
 * codes are lossless, as they are for vectors from the embedding cache (`EXACT_ENOUGH`: scores
 * within 1e-6). The decoded
 * codes of a namespace stay in the isolate's memory, checked by the namespace's version
 * (one small read), so repeated queries skip the scan read.
 *
 * The scan itself runs in WebAssembly (worker/vectors/dot.ts: SIMD integer dot products of
 * the int8 codes with the query quantised to int16, whose own rounding widens each bound by
 * its measured rest). It stays exact — the same answers as float32 over every vector — where
 * a binary (sign) first pass would have made the store approximate: the AI emulator's query
 * vectors have 1–15 non-zero dimensions of 1,024, which one bit a dimension cannot rank.
 */
export class D1VectorStore implements VectorStore {
  readonly #db: Db;
  readonly #scans: ScanCache;

  constructor(
    d1: D1Database,
    readonly dimensions: number,
  ) {
    this.#db = createDb(d1);
    this.#scans = scanCacheOf(d1);
  }

  async upsert(namespace: string, items: readonly StoredVector[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((item) => {
      const values = unit(this.#checked(item.values));
      return {
        code: { namespace, id: item.id, repositoryId: item.repositoryId, ...quantize(values) },
        values: { namespace, id: item.id, values: Buffer.from(float32Bytes(values)) },
      };
    });
    const writes = [];
    // D1 binds ≤ 100 parameters a statement (6 a code row, 3 a values row), and every
    // statement of a batch counts against the 1,000 D1 queries a Worker invocation may make.
    for (let i = 0; i < rows.length; i += CODES_PER_INSERT) {
      writes.push(
        this.#db
          .insert(vectors)
          .values(rows.slice(i, i + CODES_PER_INSERT).map((row) => row.code))
          .onConflictDoUpdate({
            target: [vectors.namespace, vectors.id],
            set: {
              repositoryId: excluded(vectors.repositoryId),
              scale: excluded(vectors.scale),
              error: excluded(vectors.error),
              code: excluded(vectors.code),
            },
          }),
      );
    }
    for (let i = 0; i < rows.length; i += VALUES_PER_INSERT) {
      writes.push(
        this.#db
          .insert(vectorValues)
          .values(rows.slice(i, i + VALUES_PER_INSERT).map((row) => row.values))
          .onConflictDoUpdate({
            target: [vectorValues.namespace, vectorValues.id],
            set: { values: excluded(vectorValues.values) },
          }),
      );
    }
    // One batch is one transaction: the rows and the version that announces them together.
    await this.#db.batch([this.#bump(namespace), ...writes]);
  }

  async delete(namespace: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const writes = [];
    for (let i = 0; i < ids.length; i += IDS_PER_DELETE) {
      const slice = ids.slice(i, i + IDS_PER_DELETE);
      writes.push(
        this.#db.delete(vectors).where(and(eq(vectors.namespace, namespace), inJsonArray(vectors.id, slice))),
        this.#db
          .delete(vectorValues)
          .where(and(eq(vectorValues.namespace, namespace), inJsonArray(vectorValues.id, slice))),
      );
    }
    await this.#db.batch([this.#bump(namespace), ...writes]);
  }

  async query(namespace: string, vector: ArrayLike<number>, topK: number): Promise<VectorMatch[]> {
    checkTopK(topK);
    const q = unit(this.#checked(vector));
    const scan = await this.#scan(namespace);
    const n = scan.ids.length;
    if (n === 0) return [];

    // The scan: every code's dot product with the query as int16 (dot.wasm, exact integer
    // sums). With q = qScale × qCode + qRest and v = scale × code + rest (‖q‖ = 1, ‖rest‖ ≤ error):
    //   q·v = scale × qScale × (qCode·code) + scale × (qRest·code) + q·rest,
    // and |scale × qRest·code| ≤ ‖qRest‖ × ‖v − rest‖ ≤ ‖qRest‖ × (1 + error), |q·rest| ≤ error.
    // So exact ∈ [approx − bound, approx + bound] with bound = error + ‖qRest‖ × (1 + error).
    const { code: qCode, scale: qScale, rest: qRest } = quantizeQuery(q, scan.codes.queryLimit);
    const dots = scan.codes.dots(qCode);
    const upper = new Float64Array(n);
    const lower = new Float64Array(n);
    for (let v = 0; v < n; v++) {
      const approx = dots[v]! * scan.scales[v]! * qScale;
      const bound = scan.errors[v]! + qRest * (1 + scan.errors[v]!);
      upper[v] = approx + bound;
      lower[v] = approx - bound;
    }
    // The k-th exact score is at least the k-th largest lower bound, so a vector whose upper
    // bound is below that cannot be in the top k: only the others are scored again.
    const k = Math.min(topK, n);
    const threshold = kthLargest(lower, k);
    const dims = this.dimensions;
    const best: VectorMatch[] = [];
    const inexact: string[] = [];
    for (let v = 0; v < n; v++) {
      if (upper[v]! < threshold) continue;
      // A code within EXACT_ENOUGH of its vector scores as the vector does (q·code × scale,
      // in float64, is off by at most the code's error): vectors that came through the
      // embedding cache's int8 (worker/enrich/embed.ts) have codes that lose nothing (errors
      // ~1e-7), so a search reads no float32 at all. Others are read exactly, in one round.
      if (scan.errors[v]! > EXACT_ENOUGH) {
        inexact.push(scan.ids[v]!);
        continue;
      }
      const code = scan.codes.row(v);
      let score = 0;
      for (let d = 0; d < dims; d++) score += code[d]! * q[d]!;
      best.push({ id: scan.ids[v]!, repositoryId: scan.repositoryIds[v]!, score: score * scan.scales[v]! });
    }
    for (let i = 0; i < inexact.length; i += IDS_PER_READ) {
      const rows = await this.#db
        .select({ id: vectors.id, repositoryId: vectors.repositoryId, hex: sql<string>`hex(${vectorValues.values})` })
        .from(vectors)
        .innerJoin(vectorValues, and(eq(vectorValues.namespace, vectors.namespace), eq(vectorValues.id, vectors.id)))
        .where(and(eq(vectors.namespace, namespace), inJsonArray(vectors.id, inexact.slice(i, i + IDS_PER_READ))));
      for (const row of rows) {
        const values = float32FromHex(row.hex);
        let score = 0;
        for (let d = 0; d < dims; d++) score += values[d]! * q[d]!;
        best.push({ id: row.id, repositoryId: row.repositoryId, score });
      }
    }
    best.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    return best.slice(0, topK);
  }

  #checked(values: ArrayLike<number>): ArrayLike<number> {
    if (values.length !== this.dimensions)
      throw new RangeError(
        `vector has ${values.length} dimensions, the store ${this.dimensions} (EMBEDDING_DIMENSIONS)`,
      );
    return values;
  }

  #bump(namespace: string) {
    return this.#db
      .insert(vectorNamespaces)
      .values({ namespace, version: 1 })
      .onConflictDoUpdate({
        target: vectorNamespaces.namespace,
        set: { version: sql`${vectorNamespaces.version} + 1` },
      });
  }

  /** The namespace's codes: from memory when its version has not moved, else read (only this namespace's rows). */
  async #scan(namespace: string): Promise<Scan> {
    const [row] = await this.#db
      .select({ version: vectorNamespaces.version })
      .from(vectorNamespaces)
      .where(eq(vectorNamespaces.namespace, namespace));
    const version = row?.version ?? 0;
    const known = this.#scans.get(namespace);
    if (known && known.version === version && known.dims === this.dimensions) {
      // Most recently used last, for the eviction below.
      this.#scans.delete(namespace);
      this.#scans.set(namespace, known);
      return known;
    }
    // Read after the version: a write in between makes the rows newer than the version we
    // keep them under, so the next query reads again — never the other way round.
    const rows = await this.#db
      .select({
        id: vectors.id,
        repositoryId: vectors.repositoryId,
        scale: vectors.scale,
        error: vectors.error,
        code: vectors.code,
      })
      .from(vectors)
      .where(eq(vectors.namespace, namespace));
    const dims = this.dimensions;
    const scan: Scan = {
      version,
      dims,
      ids: rows.map((r) => r.id),
      repositoryIds: Float64Array.from(rows, (r) => r.repositoryId),
      scales: Float64Array.from(rows, (r) => r.scale),
      errors: Float64Array.from(rows, (r) => r.error),
      codes: new Int8Dots(rows.length, dims),
    };
    for (const [i, r] of rows.entries()) scan.codes.set(i, codeFromBase64(r.code));
    this.#scans.delete(namespace);
    const bytes = scanBytes(scan);
    if (bytes <= SCAN_CACHE_BYTES) {
      this.#scans.set(namespace, scan);
      let total = 0;
      for (const kept of this.#scans.values()) total += scanBytes(kept);
      for (const [name, kept] of this.#scans) {
        if (total <= SCAN_CACHE_BYTES) break;
        this.#scans.delete(name);
        total -= scanBytes(kept);
      }
    }
    return scan;
  }
}

const CODES_PER_INSERT = 16;
// 20 × 4 KB of float32 keeps a statement with its values under D1's 100 KB.
const VALUES_PER_INSERT = 20;
const IDS_PER_DELETE = 500;
const IDS_PER_READ = 500;
/**
 * A candidate whose code is this close to its vector (‖values − code × scale‖) is scored from
 * the code: its score is then within 1e-6 of the exact one (|q·rest| ≤ error), far below what
 * separates two results. Lossy codes (error ~0.008 for a float vector of 1,024 dimensions)
 * are read exactly.
 */
const EXACT_ENOUGH = 1e-6;
/** Decoded codes kept per isolate (a Worker has 128 MB): ~48,000 vectors of 1,024 dimensions. */
const SCAN_CACHE_BYTES = 48 * 1024 * 1024;

type Scan = {
  version: number;
  dims: number;
  ids: string[];
  repositoryIds: Float64Array;
  scales: Float64Array;
  errors: Float64Array;
  codes: Int8Dots;
};
type ScanCache = Map<string, Scan>;

const scanBytes = (scan: Scan) => scan.codes.byteLength + scan.ids.length * 72;

/** One cache per database binding, for the isolate's life. */
const scanCaches = new WeakMap<D1Database, ScanCache>();
function scanCacheOf(d1: D1Database): ScanCache {
  let cache = scanCaches.get(d1);
  if (!cache) {
    cache = new Map();
    scanCaches.set(d1, cache);
  }
  return cache;
}

/**
 * The k-th largest of `values` (1 ≤ k ≤ length): a min-heap of the k largest seen, so a pass
 * over n values costs n comparisons and a few sifts, not a sort of n.
 */
export function kthLargest(values: ArrayLike<number>, k: number): number {
  const heap = new Float64Array(k);
  for (let i = 0; i < k; i++) heap[i] = values[i]!;
  heap.sort();
  // A sorted array is a valid min-heap.
  for (let i = k; i < values.length; i++) {
    const value = values[i]!;
    if (value <= heap[0]!) continue;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= k) break;
      const child = left + 1 < k && heap[left + 1]! < heap[left]! ? left + 1 : left;
      if (heap[child]! >= value) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = value;
  }
  return heap[0]!;
}
