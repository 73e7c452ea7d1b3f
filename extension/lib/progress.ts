import type { LibraryReadiness, ProgressData, ProgressWait } from "../../shared/events";
import type { MessageKey } from "./i18n";

// How far along a sync is, computed as the seed's popup did (seed: "Progress Bar
// Calculation"): analysing fills 0–95 %, saving the last 5 %, embedding 0–100 %.
// Listing shows "1,200 of 5,000" (each of them already in the library, findable by name), then
// the READMEs looked up behind it (docs/architecture.md §5).

export interface ProgressView {
  /** 0–100, or null when the phase has no measurable length (an indeterminate bar). */
  percent: number | null;
  label: { key: MessageKey; subs: Array<string | number> };
}

const ratio = (done: number, total: number) => (total > 0 ? Math.min(1, Math.max(0, done / total)) : 1);
const round = (value: number) => Math.round(value * 10) / 10;

export function progressView(progress: ProgressData | null): ProgressView {
  if (!progress) return { percent: null, label: { key: "syncStarting", subs: [] } };
  switch (progress.phase) {
    case "fetching": {
      const { listed, total, readmes, readmesLeft } = progress;
      if (readmes !== undefined && readmesLeft !== undefined) {
        const of = readmes + readmesLeft;
        return {
          percent: round(ratio(readmes, of) * 100),
          label: { key: "phaseFetchingReadmes", subs: [listed ?? total ?? 0, readmes, of] },
        };
      }
      const l = listed ?? null;
      const n = total ?? null;
      if (l !== null && n !== null && n > 0)
        return { percent: round(ratio(l, n) * 100), label: { key: "phaseFetchingCounts", subs: [l, n] } };
      if (l !== null) return { percent: null, label: { key: "phaseFetchingListed", subs: [l] } };
      return { percent: null, label: { key: "phaseFetching", subs: [] } };
    }
    case "fetched":
      return { percent: 100, label: { key: "phaseFetched", subs: [progress.total, progress.needsReadme] } };
    case "analyzing":
      // Before the first step says how many: no "(0 of 0)".
      if (progress.total === 0) return { percent: null, label: { key: "phaseAnalyzingStart", subs: [] } };
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
      const { completed: done, total } = progress;
      if (done !== undefined && total !== undefined) {
        return { percent: round(ratio(done, total) * 100), label: { key: "phaseOpenrankCounts", subs: [done, total] } };
      }
      return { percent: null, label: { key: "phaseOpenrank", subs: [] } };
    }
    case "embedding":
      if (progress.total === 0) return { percent: null, label: { key: "phaseEmbeddingStart", subs: [] } };
      return {
        percent: round(ratio(progress.completed, progress.total) * 100),
        label: { key: "phaseEmbedding", subs: [progress.current, progress.completed, progress.total] },
      };
    case "unstarring":
      return {
        percent: round(ratio(progress.done, progress.total) * 100),
        label: {
          key: progress.action === "unstar" ? "phaseUnstarring" : "phaseRestarring",
          subs: [progress.done, progress.total],
        },
      };
  }
}

/**
 * The whole run's share of each phase, for one percentage across phases (the toolbar badge): the
 * popup's bar restarts with each phase, a badge that went 29% → 100% → 42% read as going backwards.
 * Listing and READMEs are most of a first sync's time; embedding the end.
 */
const BANDS = {
  listing: [0, 30],
  readmes: [30, 50],
  analyzing: [50, 80],
  openrank: [80, 85],
  embedding: [85, 100],
} as const;
const within = ([from, to]: readonly [number, number], share: number) => round(from + (to - from) * share);

/** Where in the whole run a progress event is (0–100), or null when it cannot say (a listing without counts). */
export function overallPercent(progress: ProgressData | null): number | null {
  if (!progress) return null;
  switch (progress.phase) {
    case "fetching": {
      const { listed, total, readmes, readmesLeft } = progress;
      if (readmes !== undefined && readmesLeft !== undefined)
        return within(BANDS.readmes, ratio(readmes, readmes + readmesLeft));
      if (listed !== undefined && total !== undefined && total > 0) return within(BANDS.listing, ratio(listed, total));
      return null;
    }
    case "fetched":
      return BANDS.readmes[1];
    case "analyzing":
      return progress.total === 0
        ? BANDS.analyzing[0]
        : within(BANDS.analyzing, ratio(progress.completed, progress.total));
    case "saving":
      return BANDS.analyzing[1];
    case "openrank":
      return progress.completed !== undefined && progress.total !== undefined
        ? within(BANDS.openrank, ratio(progress.completed, progress.total))
        : BANDS.openrank[0];
    case "embedding":
      return progress.total === 0
        ? BANDS.embedding[0]
        : within(BANDS.embedding, ratio(progress.completed, progress.total));
    // Not a sync: an unstar run has one phase, the whole bar.
    case "unstarring":
      return round(ratio(progress.done, progress.total) * 100);
  }
}

/**
 * The run's percentage after `progress`, never below what was shown before (`shown`): a second
 * listing pass or a phase that learns its length late must not make the badge go back.
 */
export function nextOverall(shown: number | undefined, progress: ProgressData | null): number | undefined {
  const now = overallPercent(progress);
  if (now === null) return shown;
  return Math.max(shown ?? 0, now);
}

/** The toolbar badge while a sync runs: the whole run's "42%", or "…" before anything is measurable. */
export function badgeText(overall: number | undefined): string {
  return overall === undefined ? "…" : `${Math.floor(overall)}%`;
}

/** A wait's words: what it waits for, when it resumes, and how long that is from `now` (seconds). */
export function waitLabel(wait: ProgressWait, now: number): { key: MessageKey; until: number; seconds: number } {
  const key: MessageKey = wait.for === "github" ? "waitGithub" : wait.for === "ai" ? "waitAi" : "waitEmbedding";
  return { key, until: wait.until, seconds: Math.max(0, Math.ceil((wait.until - now) / 1000)) };
}

/**
 * Which layer of the library is still filling, for the new tab (docs/architecture.md §4, "rows
 * first"): while a sync runs, from its progress; after it, READMEs a stopped run left queued.
 * Null when everything the library can hold is in.
 */
export function fillingNote(sync: {
  running: boolean;
  progress: ProgressData | null;
  library?: LibraryReadiness | null | undefined;
}): ProgressView["label"] | null {
  const progress = sync.running ? sync.progress : null;
  switch (progress?.phase) {
    case "fetching":
      if (progress.readmesLeft !== undefined)
        return progress.readmesLeft > 0 ? { key: "newtabFillingReadmes", subs: [progress.readmesLeft] } : null;
      if (progress.listed !== undefined && progress.total !== undefined && progress.listed < progress.total)
        return { key: "newtabFillingListed", subs: [progress.listed, progress.total] };
      return null;
    case "analyzing":
      return progress.total > progress.completed
        ? { key: "newtabFillingSummaries", subs: [progress.total - progress.completed] }
        : null;
    case "embedding":
      return progress.total > progress.completed
        ? { key: "newtabFillingMeaning", subs: [progress.completed, progress.total] }
        : null;
  }
  const pending = sync.library?.readmesPending ?? 0;
  return pending > 0 ? { key: "newtabFillingReadmes", subs: [pending] } : null;
}
