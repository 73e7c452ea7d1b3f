import { describe, expect, it } from "vitest";
import type { ProgressData } from "../../shared/events";
import { badgeText, fillingNote, nextOverall, progressView, waitLabel } from "./progress";

describe("sync progress (the seed's rules)", () => {
  const cases: Array<[string, ProgressData | null, number | null, string, Array<string | number>]> = [
    ["before the first event", null, null, "syncStarting", []],
    [
      "an unstar run (not a sync, on its stream)",
      { phase: "unstarring", action: "unstar", unstarRunId: "r", done: 1, total: 4 },
      25,
      "phaseUnstarring",
      [1, 4],
    ],
    [
      "its undo",
      { phase: "unstarring", action: "restar", unstarRunId: "r", done: 3, total: 4 },
      75,
      "phaseRestarring",
      [3, 4],
    ],
    ["listing without counts", { phase: "fetching" }, null, "phaseFetching", []],
    ["listing with counts", { phase: "fetching", listed: 1200, total: 5000 }, 24, "phaseFetchingCounts", [1200, 5000]],
    [
      "READMEs behind a whole listing",
      { phase: "fetching", listed: 5000, total: 5000, readmes: 300, readmesLeft: 900 },
      25,
      "phaseFetchingReadmes",
      [5000, 300, 1200],
    ],
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
    // Before a phase knows its length it says what it does, never "(0 of 0)".
    [
      "embedding before its length",
      { phase: "embedding", current: "", completed: 0, total: 0 },
      null,
      "phaseEmbeddingStart",
      [],
    ],
    [
      "analysing before its length",
      { phase: "analyzing", current: "", completed: 0, total: 0 },
      null,
      "phaseAnalyzingStart",
      [],
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
    expect(badgeText(nextOverall(undefined, { phase: "analyzing", current: "x", completed: 1, total: 3 }))).toBe("60%");
    expect(badgeText(nextOverall(undefined, { phase: "fetching" }))).toBe("…");
  });

  it("gives the badge one percentage over the whole run that never goes down", () => {
    // The demo's sequence that made the badge read 29% → 100% → 42% → 19%, and a second listing pass.
    const run: ProgressData[] = [
      { phase: "fetching" },
      { phase: "fetching", listed: 100, total: 343 },
      { phase: "fetching", listed: 343, total: 343 },
      { phase: "fetching", listed: 343, total: 343, readmes: 0, readmesLeft: 343 },
      { phase: "fetching", listed: 100, total: 343 }, // a second pass over a list that moved
      { phase: "fetching", listed: 343, total: 343, readmes: 200, readmesLeft: 143 },
      { phase: "fetched", total: 343, needsReadme: 0 },
      { phase: "analyzing", current: "", completed: 0, total: 0 },
      { phase: "analyzing", current: "a/b", completed: 144, total: 343 },
      { phase: "saving", savedCount: 343, saveTotal: 343 },
      { phase: "openrank" },
      { phase: "openrank", completed: 65, total: 343 },
      { phase: "embedding", current: "", completed: 0, total: 0 },
      { phase: "embedding", current: "c/d", completed: 343, total: 343 },
    ];
    const shown: Array<number | undefined> = [];
    let overall: number | undefined;
    for (const progress of run) {
      overall = nextOverall(overall, progress);
      shown.push(overall);
    }
    expect(shown[0]).toBeUndefined();
    const numbers = shown.slice(1) as number[];
    for (let i = 1; i < numbers.length; i++) expect(numbers[i], `step ${i}`).toBeGreaterThanOrEqual(numbers[i - 1]!);
    expect(numbers.at(-1)).toBe(100);
    expect(new Set(numbers).size).toBeGreaterThan(8); // it moves, not only stays
  });

  it("words a wait with what it waits for and how long", () => {
    const now = Date.UTC(2026, 11, 6, 1, 0, 0);
    expect(waitLabel({ for: "github", until: now + 44_200 }, now)).toEqual({
      key: "waitGithub",
      until: now + 44_200,
      seconds: 45,
    });
    expect(waitLabel({ for: "ai", until: now - 5 }, now).seconds).toBe(0);
  });
});

describe("which layer of the library is still filling (the new tab)", () => {
  const library = { stars: 5000, gone: 0, readmesPending: 0, analysed: 5000, embedded: 5000 };
  it("says what a running sync is filling in, and nothing once a layer is whole", () => {
    const running = (progress: ProgressData) => fillingNote({ running: true, progress, library });
    expect(running({ phase: "fetching", listed: 1200, total: 5000 })).toEqual({
      key: "newtabFillingListed",
      subs: [1200, 5000],
    });
    expect(running({ phase: "fetching", listed: 5000, total: 5000, readmes: 60, readmesLeft: 1240 })).toEqual({
      key: "newtabFillingReadmes",
      subs: [1240],
    });
    expect(running({ phase: "fetching", listed: 5000, total: 5000, readmes: 1300, readmesLeft: 0 })).toBeNull();
    expect(running({ phase: "analyzing", current: "a/b", completed: 10, total: 40 })).toEqual({
      key: "newtabFillingSummaries",
      subs: [30],
    });
    expect(running({ phase: "embedding", current: "", completed: 5, total: 20 })).toEqual({
      key: "newtabFillingMeaning",
      subs: [5, 20],
    });
    expect(running({ phase: "fetched", total: 5000, needsReadme: 0 })).toBeNull();
  });
  it("after a run that stopped, says the READMEs it left are still to come", () => {
    expect(fillingNote({ running: false, progress: null, library: { ...library, readmesPending: 12 } })).toEqual({
      key: "newtabFillingReadmes",
      subs: [12],
    });
    expect(fillingNote({ running: false, progress: null, library })).toBeNull();
    expect(fillingNote({ running: false, progress: null })).toBeNull();
  });
});
