import { configOf } from "../config";
import { embedQuery } from "../providers/embedder";
import type { Bindings } from "../env";
import type { VectorStore } from "../vectors";
import type { Semantic } from "./search";

/**
 * The semantic half for this deployment: the query embedded by the deployment's embedding
 * model, matched in the user's namespace of the vector store. Null (keyword-only, `mode:
 * "keyword"`) when the deployment has no embedding model (`EMBEDDING_PROVIDER=none`). A
 * model that fails or is rate limited for one query makes that answer keyword-only too
 * (worker/search/search.ts, `semanticRanking`).
 */
export function semanticFor(env: Bindings, store: VectorStore): Semantic | null {
  if (configOf(env).embedding.provider === "none") return null;
  return { embedQuery: async (text) => Array.from(await embedQuery(env, text)), store };
}
