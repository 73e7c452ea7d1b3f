import { describe, expect, it } from "vitest";
import { latestCompleteQuarter, monthBefore, OPENRANK_BREAKER, refreshBoundary, refreshOpenrank } from "./openrank";
import { emulatorControl, env, signIn } from "../test/helpers";
import { createServices } from "../services";

let nextGithubId = 7_800_000;

async function seed(userId: number, fullNames: string[]): Promise<void> {
  for (const fullName of fullNames) {
    const [owner, name] = fullName.split("/");
    const now = Date.now();
    const row = await env.DB.prepare(
      `insert into repositories (github_id, full_name, name, owner_login, html_url, created_at, updated_at)
       values (?1, ?2, ?3, ?4, 'https://github.com/' || ?2, ?5, ?5) returning id`,
    )
      .bind(nextGithubId++, fullName, name, owner, now)
      .first<{ id: number }>();
    await env.DB.prepare(
      "insert into stars (user_id, repository_id, starred_at, is_starred, created_at) values (?, ?, ?, 1, ?)",
    )
      .bind(userId, row!.id, now, now)
      .run();
  }
}

async function stored(fullName: string) {
  return env.DB.prepare("select openrank, openrank_period, openrank_fetched_at from repositories where full_name = ?")
    .bind(fullName)
    .first<{ openrank: number | null; openrank_period: string | null; openrank_fetched_at: number | null }>();
}

async function requestsFor(fullName: string): Promise<number> {
  const stats = (await emulatorControl("opendigger", "GET", "stats")) as { byRepo: Record<string, number> };
  return Object.entries(stats.byRepo)
    .filter(([key]) => key.toLowerCase() === `github/${fullName}`.toLowerCase())
    .reduce((sum, [, n]) => sum + n, 0);
}

describe("latestCompleteQuarter", () => {
  it("takes the quarter that ends at or before the last complete month, never the partial one", () => {
    const file = { "2026": 10, "2026-07": 1, "2026-08": 2, "2026-09": 3, "2026Q3": 6, "2026-10": 4, "2026Q4": 4 };
    expect(latestCompleteQuarter(file, { year: 2026, month: 10 })).toEqual({ period: "2026Q3", value: 6 });
    expect(latestCompleteQuarter(file, { year: 2026, month: 9 })).toEqual({ period: "2026Q3", value: 6 });
    expect(latestCompleteQuarter(file, { year: 2026, month: 2 })).toEqual({ period: "2025Q4", value: 0 });
    // Without the quarter key, the sum of its months (zero months are absent).
    expect(latestCompleteQuarter({ "2026-04": 1.25, "2026-06": 2.5 }, { year: 2026, month: 7 })).toEqual({
      period: "2026Q2",
      value: 3.75,
    });
  });

  it("dates: the export covers the month before it; refreshes wait for the next export", () => {
    expect(monthBefore(new Date("2026-11-05T03:17:00Z"))).toEqual({ year: 2026, month: 10 });
    expect(monthBefore(new Date("2026-01-05T03:17:00Z"))).toEqual({ year: 2025, month: 12 });
    expect(refreshBoundary(new Date("2026-12-01T12:00:00Z")).toISOString()).toBe("2026-11-08T00:00:00.000Z");
    expect(refreshBoundary(new Date("2026-12-09T12:00:00Z")).toISOString()).toBe("2026-12-08T00:00:00.000Z");
  });
});

describe("refreshOpenrank against the OpenDigger emulator", () => {
  it("stores the latest complete quarter, no data for a 404, and asks again only after the next export", async () => {
    const { user } = await signIn("openrank-user");
    const names = ["od-test/alpha", "od-test/beta", "od-test/gamma", "od-test/missing", "od-test/custom"];
    await emulatorControl("opendigger", "POST", "repo", { fullName: "od-test/missing", missing: true });
    await emulatorControl("opendigger", "POST", "repo", {
      fullName: "od-test/custom",
      openrank: { "2026": 9.5, "2026-07": 1, "2026-08": 2, "2026-09": 3.5, "2026Q3": 6.5, "2026-10": 3, "2026Q4": 3 },
    });
    await seed(user.id, names);

    const generated = ["od-test/alpha", "od-test/beta", "od-test/gamma"];
    const uncovered = [];
    for (const name of generated) {
      const truth = (await emulatorControl("opendigger", "GET", `repo?fullName=${name}`)) as { exists: boolean };
      if (!truth.exists) uncovered.push(name);
    }
    const result = await refreshOpenrank(createServices(env), { userId: user.id, budget: 100 });
    expect(result).toMatchObject({ fetched: 5, noData: 1 + uncovered.length, failed: 0, pending: 0, requests: 5 });
    // The emulator's clock (worker/test/global-setup.ts) puts the latest export on 2026-11-05: October is the last
    // complete month.
    for (const name of generated) {
      const truth = (await emulatorControl("opendigger", "GET", `repo?fullName=${name}`)) as {
        exists: boolean;
        latestCompleteQuarter: string;
        openrankOfLatestQuarter: number | null;
      };
      const row = await stored(name);
      if (!truth.exists) {
        expect(row?.openrank, name).toBeNull();
        continue;
      }
      expect(row?.openrank_period, name).toBe(truth.latestCompleteQuarter);
      expect(row?.openrank_period).toBe("2026Q3");
      expect(row?.openrank, name).toBeCloseTo(truth.openrankOfLatestQuarter ?? 0, 2);
    }
    expect(await stored("od-test/custom")).toMatchObject({ openrank: 6.5, openrank_period: "2026Q3" });
    expect(await stored("od-test/missing")).toMatchObject({ openrank: null, openrank_period: null });
    expect((await stored("od-test/missing"))?.openrank_fetched_at).toBeGreaterThan(0);

    // Fetched since the last export: nothing to ask, 404s included.
    const before = await requestsFor("od-test/alpha");
    expect(await refreshOpenrank(createServices(env), { userId: user.id, budget: 100 })).toMatchObject({
      pendingAtStart: 0,
      requests: 0,
    });
    expect(await requestsFor("od-test/alpha")).toBe(before);
  });

  it("a failing OpenDigger is never fatal: the repository waits for the next sync", async () => {
    const { user } = await signIn("openrank-faults");
    await seed(user.id, ["od-fault/down", "od-fault/html"]);
    await emulatorControl("opendigger", "POST", "faults", [
      { repo: "od-fault/down", status: 503 },
      { repo: "od-fault/html", nonJson: true },
    ]);
    try {
      const result = await refreshOpenrank(createServices(env), { userId: user.id, budget: 100 });
      expect(result).toMatchObject({ fetched: 0, failed: 2, pending: 0 });
      expect((await stored("od-fault/down"))?.openrank_fetched_at).toBeNull();
    } finally {
      await emulatorControl("opendigger", "DELETE", "faults");
    }
    expect(await refreshOpenrank(createServices(env), { userId: user.id, budget: 100 })).toMatchObject({
      fetched: 2,
      failed: 0,
    });
  });

  it(
    `an unreachable OpenDigger is asked ${OPENRANK_BREAKER} times in a row, ` +
      "not once per repository; the rest waits for the next sync",
    async () => {
      const { user } = await signIn("openrank-breaker");
      const names = Array.from({ length: 60 }, (_, i) => `od-breaker/r${i}`);
      await seed(user.id, names);
      // Scoped to these repositories: other test files share the emulator.
      await emulatorControl(
        "opendigger",
        "POST",
        "faults",
        names.map((repo) => ({ repo, status: 503 })),
      );
      let result: Awaited<ReturnType<typeof refreshOpenrank>>;
      try {
        result = await refreshOpenrank(createServices(env), { userId: user.id, budget: 250 });
        expect(result.unavailable).toMatch(/in a row/);
        // Requests already in flight when the breaker opens finish (5 at a time); nothing new starts.
        expect(result.requests).toBeGreaterThanOrEqual(OPENRANK_BREAKER);
        expect(result.requests).toBeLessThan(OPENRANK_BREAKER + 5);
        expect(result.pending).toBe(60 - result.failed);
        let asked = 0;
        for (const name of names) asked += await requestsFor(name);
        expect(asked).toBe(result.requests);
      } finally {
        await emulatorControl("opendigger", "DELETE", "faults");
      }
      const next = await refreshOpenrank(createServices(env), { userId: user.id, budget: 250 });
      expect(next).toMatchObject({ fetched: 60, failed: 0, pending: 0 });
      expect(next.unavailable).toBeUndefined();
    },
  );
});
