import { and, eq, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import { createDb, type Db } from "../db/client";
import { vectorNamespaces, vectors } from "../db/schema";
import { excluded, inJsonArray } from "../db/sql";
import { codeFromBase64, float32Bytes, float32FromHex, quantize, unit } from "./codec";
import { checkTopK, type StoredVector, type VectorMatch, type VectorStore } from "./store";

/**
 * Vectors in D1 (`VECTOR_STORE=d1`): exact cosine search over one namespace, for local
 * development, tests and small self-hosts (docs/architecture.md §8).
 *
 * Why this layout (measured in workerd against local D1, 10,000 rows of 1,024 dimensions,
 * `npm run bench:vectors` for the figures at 10k–40k): a BLOB reaches the Worker as an array
 * of numbers — 3.5 s to read 10,000 float32 vectors, 0.7 s even as int8 — while the same
 * int8 bytes as base64 text read in ~70 ms. So a query scans only the int8 code of every
 * vector (1 byte a dimension, as text) with its scale and error bound, then reads the exact
 * float32 values of the candidates whose bound could still reach the top k, and stops when
 * none can: the answer is the exact cosine top k, with a few dozen exact reads. The decoded
 * codes of a namespace stay in the isolate's memory, checked by the namespace's version
 * (one small read), so repeated queries skip the scan read.
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
      return { namespace, id: item.id, repositoryId: item.repositoryId, ...quantize(values), values: Buffer.from(float32Bytes(values)) };
    });
    const writes = [];
    // D1 binds ≤ 100 parameters a statement (7 a row) and a statement stays well under its 100 KB.
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      writes.push(
        this.#db
          .insert(vectors)
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .onConflictDoUpdate({
            target: [vectors.namespace, vectors.id],
            set: {
              repositoryId: excluded(vectors.repositoryId),
              scale: excluded(vectors.scale),
              error: excluded(vectors.error),
              code: excluded(vectors.code),
              values: excluded(vectors.values),
            },
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
      writes.push(this.#db.delete(vectors).where(and(eq(vectors.namespace, namespace), inJsonArray(vectors.id, ids.slice(i, i + IDS_PER_DELETE)))));
    }
    await this.#db.batch([this.#bump(namespace), ...writes]);
  }

  async query(namespace: string, vector: readonly number[], topK: number): Promise<VectorMatch[]> {
    checkTopK(topK);
    const q = unit(this.#checked(vector));
    const scan = await this.#scan(namespace);
    const n = scan.ids.length;
    if (n === 0) return [];

    const dims = this.dimensions;
    const bound = new Float32Array(n);
    for (let v = 0; v < n; v++) {
      let dot = 0;
      const base = v * dims;
      for (let d = 0; d < dims; d++) dot += scan.codes[base + d]! * q[d]!;
      bound[v] = dot * scan.scales[v]! + scan.errors[v]!;
    }
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => bound[b]! - bound[a]!);

    // Exact scores in bound order until no unread vector can beat the k-th exact score.
    const best: VectorMatch[] = [];
    let next = 0;
    while (next < n) {
      if (best.length >= topK && best[topK - 1]!.score >= bound[order[next]!]!) break;
      const take = next === 0 ? topK + FIRST_EXTRA : MORE_EACH_ROUND;
      const batch = Array.from(order.subarray(next, next + take), (index) => scan.ids[index]!);
      next += batch.length;
      const rows = await this.#db
        .select({ id: vectors.id, repositoryId: vectors.repositoryId, hex: sql<string>`hex(${vectors.values})` })
        .from(vectors)
        .where(and(eq(vectors.namespace, namespace), inJsonArray(vectors.id, batch)));
      for (const row of rows) {
        const values = float32FromHex(row.hex);
        let score = 0;
        for (let d = 0; d < dims; d++) score += values[d]! * q[d]!;
        best.push({ id: row.id, repositoryId: row.repositoryId, score });
      }
      best.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      best.length = Math.min(best.length, topK);
    }
    return best;
  }

  #checked(values: ArrayLike<number>): ArrayLike<number> {
    if (values.length !== this.dimensions) throw new RangeError(`vector has ${values.length} dimensions, the store ${this.dimensions} (EMBEDDING_DIMENSIONS)`);
    return values;
  }

  #bump(namespace: string) {
    return this.#db
      .insert(vectorNamespaces)
      .values({ namespace, version: 1 })
      .onConflictDoUpdate({ target: vectorNamespaces.namespace, set: { version: sql`${vectorNamespaces.version} + 1` } });
  }

  /** The namespace's codes: from memory when its version has not moved, else read (only this namespace's rows). */
  async #scan(namespace: string): Promise<Scan> {
    const [row] = await this.#db.select({ version: vectorNamespaces.version }).from(vectorNamespaces).where(eq(vectorNamespaces.namespace, namespace));
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
      .select({ id: vectors.id, scale: vectors.scale, error: vectors.error, code: vectors.code })
      .from(vectors)
      .where(eq(vectors.namespace, namespace));
    const dims = this.dimensions;
    const scan: Scan = {
      version,
      dims,
      ids: rows.map((r) => r.id),
      scales: Float32Array.from(rows, (r) => r.scale),
      errors: Float32Array.from(rows, (r) => r.error),
      codes: new Int8Array(rows.length * dims),
    };
    rows.forEach((r, i) => scan.codes.set(codeFromBase64(r.code).subarray(0, dims), i * dims));
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

const ROWS_PER_INSERT = 10;
const IDS_PER_DELETE = 500;
/** Exact reads in the first round beyond topK; with int8 codes the bound is tight, so one round is the rule. */
const FIRST_EXTRA = 16;
const MORE_EACH_ROUND = 64;
/** Decoded codes kept per isolate (a Worker has 128 MB): ~48,000 vectors of 1,024 dimensions. */
const SCAN_CACHE_BYTES = 48 * 1024 * 1024;

type Scan = { version: number; dims: number; ids: string[]; scales: Float32Array; errors: Float32Array; codes: Int8Array };
type ScanCache = Map<string, Scan>;

const scanBytes = (scan: Scan) => scan.codes.byteLength + scan.ids.length * 48;

/** One cache per database binding, for the isolate's life. */
const scanCaches = new WeakMap<D1Database, ScanCache>();
function scanCacheOf(d1: D1Database): ScanCache {
  let cache = scanCaches.get(d1);
  if (!cache) scanCaches.set(d1, (cache = new Map()));
  return cache;
}
