/**
 * Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranking gives a
 * repository 1 / (k + rank), the sums order the result. Ranks, not scores, so word weights and
 * cosine similarity need no common scale; k = 60 is the paper's constant, which keeps one
 * ranking's first place from outweighing agreement between both.
 */
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
  // Ties (same places in swapped rankings) go to the keyword side, then the smaller id: stable.
  return [...fused.values()].sort(
    (a, b) => b.score - a.score || (a.keywordRank ?? Infinity) - (b.keywordRank ?? Infinity) || a.id - b.id,
  );
}
