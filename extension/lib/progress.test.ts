import { describe, expect, it } from "vitest";
import type { ProgressData } from "../../shared/events";
import { badgeText, progressView } from "./progress";

describe("sync progress (the seed's rules)", () => {
  const cases: Array<[string, ProgressData | null, number | null, string, Array<string | number>]> = [
    ["before the first event", null, null, "syncStarting", []],
    ["listing without counts", { phase: "fetching" }, null, "phaseFetching", []],
    ["listing with counts", { phase: "fetching", listed: 1200, total: 5000 }, 24, "phaseFetchingCounts", [1200, 5000]],
    ["fetched", { phase: "fetched", total: 5000, needsReadme: 42 }, 100, "phaseFetched", [5000, 42]],
    [
      "analysing fills 0–95 %",
      { phase: "analyzing", current: "a/b", completed: 50, total: 100 },
      47.5,
      "phaseAnalyzing",
      ["a/b", 50, 100],
    ],
    [
      "analysing done is 95 %",
      { phase: "analyzing", current: "a/b", completed: 100, total: 100 },
      95,
      "phaseAnalyzing",
      ["a/b", 100, 100],
    ],
    ["saving is the last 5 %", { phase: "saving", savedCount: 1, saveTotal: 2 }, 97.5, "phaseSaving", [1, 2]],
    [
      "embedding fills 0–100 %",
      { phase: "embedding", current: "c/d", completed: 3, total: 4 },
      75,
      "phaseEmbedding",
      ["c/d", 3, 4],
    ],
    ["openrank without counts", { phase: "openrank" }, null, "phaseOpenrank", []],
    ["openrank with counts", { phase: "openrank", completed: 1, total: 4 }, 25, "phaseOpenrankCounts", [1, 4]],
    [
      "an empty phase counts as complete",
      { phase: "embedding", current: "", completed: 0, total: 0 },
      100,
      "phaseEmbedding",
      ["", 0, 0],
    ],
  ];
  it.each(cases)("%s", (_name, progress, percent, key, subs) => {
    expect(progressView(progress)).toEqual({ percent, label: { key, subs } });
  });

  it("never leaves 0–100 even when counts overshoot", () => {
    expect(progressView({ phase: "analyzing", current: "x", completed: 7, total: 5 }).percent).toBe(95);
    expect(progressView({ phase: "saving", savedCount: -1, saveTotal: 5 }).percent).toBe(95);
  });

  it("puts a whole percentage or an ellipsis on the toolbar badge", () => {
    expect(badgeText({ phase: "analyzing", current: "x", completed: 1, total: 3 })).toBe("31%");
    expect(badgeText({ phase: "fetching" })).toBe("…");
  });
});
