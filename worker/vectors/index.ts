import { configOf } from "../config";
import type { Bindings } from "../env";
import { D1VectorStore } from "./d1-store";
import type { VectorStore } from "./store";
import { VectorizeStore } from "./vectorize-store";

export * from "./store";

/** The deployment's vector store (`VECTOR_STORE`): Vectorize, or D1 where Vectorize is unavailable. */
export function vectorStoreOf(env: Bindings): VectorStore {
  const config = configOf(env);
  return config.vectorStore === "d1"
    ? new D1VectorStore(env.DB, config.embedding.dimensions)
    : new VectorizeStore(env.VECTORIZE, config.embedding.dimensions);
}
