/**
 * How the keyword and the semantic ranking become one (docs/architecture.md §7), `SEARCH_FUSION`:
 *
 * - `rrf`: reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking gives a
 *   repository 1 / (k + rank), the sums order the result. Ranks, not scores, so word weights and
 *   cosine similarity need no common scale; k = 60 is the paper's constant, which keeps one
 *   ranking's first place from outweighing agreement between both. That is also its failure
 *   here: a strong keyword hit (the name, a rare word in the description) and a loose neighbour
 *   ranked high by both get almost the same credit, and the strong hit drops to 2nd–5th.
 * - `names`: repositories whose name the query spells (./names.ts) first, then `rrf`.
 * - `weighted`: names first, then RRF with each place's credit scaled by how strong the hit is
 *   in its own ranking: its keyword score over the query's best, its similarity above the
 *   library's noise (./floor.ts) over the most a cosine can be above it (1 − noise). A rank says
 *   "third"; the scale says whether the third is nearly as good as the first or a tenth of it.
 * - `convex`: names first, then a convex combination of the two normalised scores, each weighed
 *   ½ (no reason to prefer either): keyword score ÷ the query's best (bm25's theoretical minimum
 *   is 0), similarity above the noise ÷ (1 − noise). Fusion on normalised scores
 *   with the theoretical minimum is what Bruch, Gai & Ingber ("An Analysis of Fusion Functions for
 *   Hybrid Retrieval", ACM TOIS 2023) found ahead of RRF; here the noise is the minimum that means
 *   something, a similarity nonsense reaches in this library.
 *
 * - `anchored`: `weighted`, but the keyword ranking's first match (a hit at the keyword floor, below
 *   the names) stays first: what the words found first is the best evidence a search has, and
 *   keyword-only answers it first too; the meaning reorders everything after it. A query the
 *   words do not match (a paraphrase) has no anchor and is `weighted` throughout.
 *
 * No constant here is fitted to the benchmark's labelled queries: k is the paper's, the weights
 * are equal, the scales are each query's own best keyword score, the library's probe noise and a cosine's 1.
 */
export const FUSIONS = ["rrf", "names", "weighted", "convex", "anchored"] as const;
export type Fusion = (typeof FUSIONS)[number];

export const RRF_K = 60;

export type Fused = { id: number; score: number; keywordRank: number | null; semanticRank: number | null };

export function reciprocalRankFusion(keyword: readonly number[], semantic: readonly number[], k = RRF_K): Fused[] {
  const fused = new Map<number, Fused>();
  const add = (ids: readonly number[], which: "keywordRank" | "semanticRank") => {
    ids.forEach((id, index) => {
      const entry = fused.get(id) ?? { id, score: 0, keywordRank: null, semanticRank: null };
      if (entry[which] !== null) return; // a repository counts once per ranking (its best place)
      entry[which] = index + 1;
      entry.score += 1 / (k + index + 1);
      fused.set(id, entry);
    });
  };
  add(keyword, "keywordRank");
  add(semantic, "semanticRank");
  return [...fused.values()].sort(byScore);
}

/** Ties (same places in swapped rankings) go to the keyword side, then the smaller id: stable. */
const byScore = (a: Fused, b: Fused) =>
  b.score - a.score || (a.keywordRank ?? Infinity) - (b.keywordRank ?? Infinity) || a.id - b.id;

export type KeywordHit = { id: number; score: number };
export type SemanticHit = { id: number; similarity: number };
/** A repository the query names (./names.ts): `exact` when the query is its whole name. */
export type NameHit = { id: number; exact: boolean };

/**
 * The fused ranking, best first. `keyword` best first with positive scores; `semantic` nearest
 * first; `noise` the similarity typical nonsense reaches in this library (null: unknown, 0 is used);
 * `anchor` the keyword ranking's first match (`anchored`).
 */
export function fuse(
  fusion: Fusion,
  keyword: readonly KeywordHit[],
  semantic: readonly SemanticHit[],
  names: readonly NameHit[],
  noise: number | null,
  anchor: number | null = null,
): Fused[] {
  if (fusion === "rrf")
    return reciprocalRankFusion(
      keyword.map((hit) => hit.id),
      semantic.map((hit) => hit.id),
    );
  let fused: Fused[];
  if (fusion === "names")
    fused = reciprocalRankFusion(
      keyword.map((hit) => hit.id),
      semantic.map((hit) => hit.id),
    );
  else {
    const keywordStrength = strengths(
      keyword.map((hit) => hit.score),
      0,
    );
    // A cosine's maximum is 1: a neighbour barely above the noise is weak evidence even when it is
    // the nearest there is (a query the model cannot place has only such neighbours).
    const semanticStrength = strengths(
      semantic.map((hit) => hit.similarity),
      noise ?? 0,
      1,
    );
    const entries = new Map<number, Fused & { k: number; s: number }>();
    const entry = (id: number) => {
      let found = entries.get(id);
      if (!found) {
        found = { id, score: 0, keywordRank: null, semanticRank: null, k: 0, s: 0 };
        entries.set(id, found);
      }
      return found;
    };
    keyword.forEach((hit, index) => {
      const e = entry(hit.id);
      if (e.keywordRank !== null) return;
      e.keywordRank = index + 1;
      e.k = keywordStrength[index]!;
    });
    semantic.forEach((hit, index) => {
      const e = entry(hit.id);
      if (e.semanticRank !== null) return;
      e.semanticRank = index + 1;
      e.s = semanticStrength[index]!;
    });
    for (const e of entries.values()) {
      e.score =
        fusion !== "convex"
          ? (e.keywordRank === null ? 0 : e.k / (RRF_K + e.keywordRank)) +
            (e.semanticRank === null ? 0 : e.s / (RRF_K + e.semanticRank))
          : 0.5 * e.k + 0.5 * e.s;
    }
    fused = [...entries.values()]
      .map(({ id, score, keywordRank, semanticRank }) => ({ id, score, keywordRank, semanticRank }))
      .sort(byScore);
    const first = fusion === "anchored" ? fused.findIndex((hit) => hit.id === anchor) : -1;
    if (first > 0) fused.unshift(...fused.splice(first, 1));
  }
  return namesFirst(fused, names);
}

/**
 * Each score on [0, 1]: its height above `floor` over the height of `top` (default: the best
 * score), 0 at or below the floor.
 */
function strengths(scores: readonly number[], floor: number, top?: number): number[] {
  const best = top ?? Math.max(...scores, floor);
  const span = best - floor;
  return scores.map((score) => (span > 0 ? Math.min(1, Math.max(0, (score - floor) / span)) : 1));
}

/**
 * Repositories the query names come first — its whole name before part of one — each group in
 * the fused order; a named repository neither ranking found joins at the end of its group.
 */
export function namesFirst(fused: readonly Fused[], names: readonly NameHit[]): Fused[] {
  if (names.length === 0) return [...fused];
  const tier = new Map(names.map((hit) => [hit.id, hit.exact ? 0 : 1]));
  const order = new Map(fused.map((hit, index) => [hit.id, index]));
  const all = [...fused];
  for (const hit of names)
    if (!order.has(hit.id)) {
      order.set(hit.id, all.length);
      all.push({ id: hit.id, score: 0, keywordRank: null, semanticRank: null });
    }
  return all.sort((a, b) => (tier.get(a.id) ?? 2) - (tier.get(b.id) ?? 2) || order.get(a.id)! - order.get(b.id)!);
}
