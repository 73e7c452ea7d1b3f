/**
 * Where a user's repository vectors live (docs/architecture.md §7). Two implementations
 * behind this one contract (and one contract test, worker/vectors/store.test.ts): Vectorize
 * in production (a namespace per user, worker/vectors/vectorize-store.ts) and a D1-backed
 * store (`VECTOR_STORE=d1`, worker/vectors/d1-store.ts) for local development, tests and
 * small self-hosts, since Vectorize has no local simulator. `vectorStoreOf(env)`
 * (worker/vectors/index.ts) picks one.
 *
 * Ids are chosen by the caller with `vectorId` and are unique across the whole store
 * (Vectorize ids are unique per index, whatever the namespace). The repository of a match
 * is read back from its id: Vectorize returns metadata only for topK ≤ 20.
 */
export interface VectorStore {
  /**
   * Insert or replace vectors in a namespace. Every vector has the deployment's dimensions; ids come from `vectorId`.
   */
  upsert(namespace: string, vectors: readonly StoredVector[]): Promise<void>;
  /**
   * The `topK` (1–100) nearest vectors in the namespace to `vector`, best first, by cosine
   * similarity (higher is closer). Ids only: callers hydrate from D1. Vectorize makes new
   * vectors queryable a few seconds after the upsert; the D1 store at once.
   */
  query(namespace: string, vector: ArrayLike<number>, topK: number): Promise<VectorMatch[]>;
  /** Remove these ids (absent ids are ignored). */
  delete(namespace: string, ids: readonly string[]): Promise<void>;
}

export type StoredVector = { id: string; values: ArrayLike<number>; repositoryId: number };
export type VectorMatch = { id: string; repositoryId: number; score: number };

/** Vectorize's topK without values or metadata (https://developers.cloudflare.com/vectorize/platform/limits/). */
export const MAX_TOP_K = 100;

/** A user's namespace (Vectorize allows 64 bytes; 50,000 namespaces per index, see docs/scale.md). */
export const userNamespace = (userId: number) => `u${userId}`;

/**
 * A vector's id: user, repository and chunk, so ids never collide across namespaces (≤ 64 bytes: Vectorize's limit).
 */
export const vectorId = (userId: number, repositoryId: number, chunk: number) => `${userId}:${repositoryId}:${chunk}`;

/** The parts of a `vectorId`, or null for an id it did not make. */
export function parseVectorId(id: string): { userId: number; repositoryId: number; chunk: number } | null {
  const match = /^(\d+):(\d+):(\d+)$/.exec(id);
  if (!match) return null;
  return { userId: Number(match[1]), repositoryId: Number(match[2]), chunk: Number(match[3]) };
}

export function checkTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K)
    throw new RangeError(`topK must be a whole number from 1 to ${MAX_TOP_K}, got ${topK}`);
}
