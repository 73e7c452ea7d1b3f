import type { ProgressData } from "../../shared/events";
import type { MessageKey } from "./i18n";

// How far along a sync is, computed as the seed's popup did (seed: "Progress Bar
// Calculation"): analysing fills 0–95 %, saving the last 5 %, embedding 0–100 %.
// Listing shows "1,200 of 5,000" when the events carry counts (docs/architecture.md §5 allows
// `listed`/`total` on `fetching`; the Worker may not send them yet).

export interface ProgressView {
  /** 0–100, or null when the phase has no measurable length (an indeterminate bar). */
  percent: number | null;
  label: { key: MessageKey; subs: Array<string | number> };
}

const ratio = (done: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 1);
const round = (value: number) => Math.round(value * 10) / 10;

/** Counts a `fetching` event may carry (docs/architecture.md §5) beyond what shared/events.ts declares today. */
type FetchingCounts = { listed?: unknown; total?: unknown };
const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);

export function progressView(progress: ProgressData | null): ProgressView {
  if (!progress) return { percent: null, label: { key: "syncStarting", subs: [] } };
  switch (progress.phase) {
    case "fetching": {
      const { listed, total } = progress as FetchingCounts;
      const l = count(listed);
      const n = count(total);
      if (l !== null && n !== null && n > 0)
        return { percent: round(ratio(l, n) * 100), label: { key: "phaseFetchingCounts", subs: [l, n] } };
      if (l !== null) return { percent: null, label: { key: "phaseFetchingListed", subs: [l] } };
      return { percent: null, label: { key: "phaseFetching", subs: [] } };
    }
    case "fetched":
      return { percent: 100, label: { key: "phaseFetched", subs: [progress.total, progress.needsReadme] } };
    case "analyzing":
      return {
        percent: round(ratio(progress.completed, progress.total) * 95),
        label: { key: "phaseAnalyzing", subs: [progress.current, progress.completed, progress.total] },
      };
    case "saving":
      return {
        percent: round(95 + ratio(progress.savedCount, progress.saveTotal) * 5),
        label: { key: "phaseSaving", subs: [progress.savedCount, progress.saveTotal] },
      };
    case "openrank": {
      const done = count(progress.completed);
      const total = count(progress.total);
      if (done !== null && total !== null) {
        return { percent: round(ratio(done, total) * 100), label: { key: "phaseOpenrankCounts", subs: [done, total] } };
      }
      return { percent: null, label: { key: "phaseOpenrank", subs: [] } };
    }
    case "embedding":
      return {
        percent: round(ratio(progress.completed, progress.total) * 100),
        label: { key: "phaseEmbedding", subs: [progress.current, progress.completed, progress.total] },
      };
  }
}

/** The toolbar badge while a sync runs: "42%", or "…" when the phase has no length. */
export function badgeText(progress: ProgressData | null): string {
  const { percent } = progressView(progress);
  return percent === null ? "…" : `${Math.floor(percent)}%`;
}
