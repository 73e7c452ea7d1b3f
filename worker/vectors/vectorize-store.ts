import { checkTopK, parseVectorId, type StoredVector, type VectorMatch, type VectorStore } from "./store";

/**
 * The parts of the Vectorize binding this store uses
 * (https://developers.cloudflare.com/vectorize/reference/client-api/). Mutations are
 * asynchronous on Cloudflare's side: they return a mutation id at once and become visible to
 * queries a few seconds later.
 */
export type VectorizeBinding = {
  upsert(vectors: VectorizeVector[]): Promise<unknown>;
  query(vector: number[] | Float32Array, options?: VectorizeQueryOptions): Promise<VectorizeMatches>;
  deleteByIds(ids: string[]): Promise<unknown>;
};

/**
 * Batch size of upserts through a Worker binding (Vectorize limits: 1,000 a batch). Deletes
 * have no published batch limit; they use the same size.
 */
export const VECTORIZE_BATCH = 1000;

/** Vectorize in production (docs/architecture.md §7): one namespace per user, ids from `vectorId`. */
export class VectorizeStore implements VectorStore {
  constructor(
    readonly index: VectorizeBinding,
    readonly dimensions: number,
  ) {}

  async upsert(namespace: string, items: readonly StoredVector[]): Promise<void> {
    const vectors = items.map((item): VectorizeVector => {
      if (item.values.length !== this.dimensions)
        throw new RangeError(`vector ${item.id} has ${item.values.length} dimensions, the index ${this.dimensions}`);
      // Matches come back without metadata (topK > 20 allows none), so the id must say the repository.
      if (parseVectorId(item.id)?.repositoryId !== item.repositoryId)
        throw new RangeError(`vector id ${item.id} does not name repository ${item.repositoryId} (use vectorId)`);
      return { id: item.id, namespace, values: Float32Array.from(item.values) };
    });
    for (let i = 0; i < vectors.length; i += VECTORIZE_BATCH)
      await this.index.upsert(vectors.slice(i, i + VECTORIZE_BATCH));
  }

  async query(namespace: string, vector: ArrayLike<number>, topK: number): Promise<VectorMatch[]> {
    checkTopK(topK);
    // topK up to 100 only without values and metadata.
    const result = await this.index.query(Float32Array.from(vector), {
      topK,
      namespace,
      returnValues: false,
      returnMetadata: "none",
    });
    const matches: VectorMatch[] = [];
    for (const match of result.matches) {
      const parsed = parseVectorId(match.id);
      if (parsed) matches.push({ id: match.id, repositoryId: parsed.repositoryId, score: match.score });
    }
    return matches;
  }

  async delete(_namespace: string, ids: readonly string[]): Promise<void> {
    // deleteByIds takes no namespace: ids are unique across the index.
    for (let i = 0; i < ids.length; i += VECTORIZE_BATCH)
      await this.index.deleteByIds(ids.slice(i, i + VECTORIZE_BATCH));
  }
}
