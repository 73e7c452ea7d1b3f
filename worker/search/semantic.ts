import type { Bindings } from "../env";
import type { Semantic } from "./search";

/**
 * The semantic half for this deployment, or null (keyword-only, `mode: "keyword"`).
 *
 * TODO(2026-12-01): the embedder (worker/enrich/embed*) and the D1/Vectorize stores
 * (worker/vectors/) are being built beside this; until they are committed there is nothing
 * to embed a query with, so search answers keyword-only. searchLibrary and its tests take a
 * Semantic directly.
 */
export function semanticFor(_env: Bindings): Semantic | null {
  return null;
}
