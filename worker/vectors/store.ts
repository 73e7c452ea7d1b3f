/**
 * Where a user's repository vectors live (docs/architecture.md §8). Two implementations
 * behind this one contract (and one contract test): Vectorize in production (a namespace
 * per user) and a D1-backed store (`VECTOR_STORE=d1`) for local development, tests and
 * small self-hosts, since Vectorize has no local simulator.
 *
 * Ids are chosen by the caller and are unique across the whole store (Vectorize ids are
 * unique per index, whatever the namespace): `vectorId(userId, repositoryId, chunk)`.
 */
export interface VectorStore {
  /** Insert or replace vectors in a namespace. Every vector has the deployment's dimensions. */
  upsert(namespace: string, vectors: readonly StoredVector[]): Promise<void>;
  /**
   * The `topK` (≤ 100) nearest vectors in the namespace to `vector`, best first, by cosine
   * similarity (higher is closer). Ids only: callers hydrate from D1.
   */
  query(namespace: string, vector: readonly number[], topK: number): Promise<VectorMatch[]>;
  /** Remove these ids (absent ids are ignored). */
  delete(namespace: string, ids: readonly string[]): Promise<void>;
}

export type StoredVector = { id: string; values: readonly number[]; repositoryId: number };
export type VectorMatch = { id: string; repositoryId: number; score: number };

/** A user's namespace (Vectorize allows 64 bytes; 50,000 namespaces per index, see docs/scale.md). */
export const userNamespace = (userId: number) => `u${userId}`;

/** A vector's id: user, repository and chunk, so ids never collide across namespaces. */
export const vectorId = (userId: number, repositoryId: number, chunk: number) => `${userId}:${repositoryId}:${chunk}`;
