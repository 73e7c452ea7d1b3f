import type { VectorizeBinding } from "../vectors/vectorize-store";

/**
 * An in-process stand-in for the Vectorize binding, at the binding's edge only. Vectorize
 * has no local simulator (miniflare proxies the binding to Cloudflare, "remote" only), so the
 * VectorizeStore is tested against this: the documented behaviour of the Workers binding
 * (https://developers.cloudflare.com/vectorize/reference/client-api/,
 * https://developers.cloudflare.com/vectorize/platform/limits/) — upserts of ≤ 1,000 vectors
 * that replace a vector whole (namespace included), ids and namespaces ≤ 64 bytes, the index's
 * fixed dimensions, cosine scores, topK ≤ 100 without values or metadata and ≤ 20 with them,
 * a query limited to its namespace, deleteByIds across the index. One difference it keeps
 * on purpose: mutations apply at once, where Cloudflare applies them seconds later.
 */
export class FakeVectorize implements VectorizeBinding {
  readonly vectors = new Map<string, { id: string; namespace?: string; values: Float32Array }>();
  readonly calls: Array<{ op: "upsert" | "query" | "deleteByIds"; size: number; options?: VectorizeQueryOptions }> = [];
  #mutations = 0;

  constructor(readonly dimensions: number) {}

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeAsyncMutation> {
    this.calls.push({ op: "upsert", size: vectors.length });
    if (vectors.length > 1000)
      throw new Error(
        "VECTOR_UPSERT_ERROR (code = 40006): too many vectors in one batch (1000 max through a Worker binding)",
      );
    for (const vector of vectors) {
      if (bytes(vector.id) > 64) throw new Error(`VECTOR_UPSERT_ERROR: id longer than 64 bytes: ${vector.id}`);
      if (vector.namespace !== undefined && bytes(vector.namespace) > 64)
        throw new Error("VECTOR_UPSERT_ERROR: namespace longer than 64 bytes");
      if (vector.values.length !== this.dimensions)
        throw new Error(
          `VECTOR_UPSERT_ERROR: vector ${vector.id} has ${vector.values.length} dimensions, ` +
            `index has ${this.dimensions}`,
        );
    }
    for (const vector of vectors) {
      this.vectors.set(vector.id, {
        id: vector.id,
        ...(vector.namespace !== undefined ? { namespace: vector.namespace } : {}),
        values: Float32Array.from(vector.values),
      });
    }
    return { mutationId: `m${++this.#mutations}` };
  }

  async query(vector: number[] | Float32Array, options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    this.calls.push({ op: "query", size: 1, options });
    const topK = options.topK ?? 5;
    const withData =
      options.returnValues === true ||
      options.returnMetadata === true ||
      options.returnMetadata === "all" ||
      options.returnMetadata === "indexed";
    const max = withData ? 20 : 100;
    if (topK > max)
      throw new Error(
        `VECTOR_QUERY_ERROR (code = 40025): topK ${topK} over ${max}` +
          `${withData ? " with returnValues or returnMetadata" : ""}`,
      );
    if (vector.length !== this.dimensions)
      throw new Error(`VECTOR_QUERY_ERROR: query has ${vector.length} dimensions, index has ${this.dimensions}`);
    const scored = [...this.vectors.values()]
      .filter((v) => options.namespace === undefined || v.namespace === options.namespace)
      .map((v) => ({
        id: v.id,
        score: cosine(vector, v.values),
        ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
        ...(options.returnValues ? { values: [...v.values] } : {}),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
    return { count: scored.length, matches: scored };
  }

  async deleteByIds(ids: string[]): Promise<VectorizeAsyncMutation> {
    this.calls.push({ op: "deleteByIds", size: ids.length });
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: `m${++this.#mutations}` };
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    return ids.flatMap((id) => {
      const v = this.vectors.get(id);
      return v
        ? [{ id: v.id, values: [...v.values], ...(v.namespace !== undefined ? { namespace: v.namespace } : {}) }]
        : [];
    });
  }

  inNamespace(namespace: string): string[] {
    return [...this.vectors.values()]
      .filter((v) => v.namespace === namespace)
      .map((v) => v.id)
      .sort();
  }
}

const bytes = (text: string) => new TextEncoder().encode(text).length;

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
