import type { ProgressData } from "../../shared/events";

/**
 * Call points for the enrichment phases (docs/architecture.md §5 steps 5–7: AI analysis, OpenRank,
 * embeddings). They belong to the enrichment issue; until it lands each phase only
 * announces itself so clients see the seed's phase order, and does nothing else.
 */
export const enrichmentPhases: Array<{ step: string; progress: ProgressData }> = [
  { step: "analyse", progress: { phase: "analyzing", current: "", completed: 0, total: 0 } },
  { step: "openrank", progress: { phase: "openrank", completed: 0, total: 0 } },
  { step: "embed", progress: { phase: "embedding", current: "", completed: 0, total: 0 } },
];
