// The sync against a GitHub as harsh as the real one: the 10 s cut-off in its shapes,
// RESOURCE_LIMITS_EXCEEDED with partial data, symlinked / binary / BOM READMEs, and what the
// pacer learns kept for the next run (the server-time budget itself: worker/github/pacer.test.ts). Each test sets the
// emulator's realism for its own user only, with server
// times scaled down so a test takes seconds; the cut-off and budgets are scaled with them.
import { beforeEach, describe, expect, it } from "vitest";
import type { DoneData } from "../../shared/events";
import { userSync } from "../lib/sync-run";
import { env, signIn } from "../test/helpers";
import { controlPost, fastWorkflows, githubStars, library, stats } from "../test/sync-helpers";

type TokenStats = {
  timeouts: number;
  secondaryLimitHits: number;
  resourceLimitHits: number;
  serverMs: { graphql: number; rest: number };
};
type Truth = Awaited<ReturnType<typeof githubStars>>[number] & { readmeKind?: string; readmeTarget?: string | null };

async function tokenStats(login: string): Promise<TokenStats> {
  const all = (await stats()) as unknown as { tokens: Record<string, TokenStats> };
  return (
    all.tokens[`user:${login}`] ?? {
      timeouts: 0,
      secondaryLimitHits: 0,
      resourceLimitHits: 0,
      serverMs: { graphql: 0, rest: 0 },
    }
  );
}

/** GitHub's realism for `login` only, 100× faster, with the given overrides. */
async function harsh(login: string, overrides: Record<string, unknown>) {
  await controlPost("config", {
    login,
    realism: { preset: "github", timeScale: 0.01, cpuGraphqlMsPerWindow: 0, cpuTotalMsPerWindow: 0, ...overrides },
  });
}

async function run(userId: number, introspector: Awaited<ReturnType<typeof fastWorkflows>>): Promise<DoneData> {
  await userSync(env, userId).startOrAttach({ userId, trigger: "manual" });
  const instance = (await introspector.get()).at(-1)!;
  await instance.waitForStatus("complete");
  const output = (await instance.getOutput()) as DoneData | { code: string; message: string };
  if (!("runId" in output)) throw new Error(`the sync failed: ${JSON.stringify(output)}`);
  return output;
}

async function expectLibraryMatches(login: string, userId: number) {
  const truth = (await githubStars(login)) as Truth[];
  const lib = await library(userId);
  expect(lib.size).toBe(truth.length);
  for (const star of truth) {
    const row = lib.get(star.fullName);
    expect(row?.is_starred, star.fullName).toBe(1);
    expect(row?.readme_sha ?? null, star.fullName).toBe(star.readmeSha ?? null);
  }
  return { truth, lib };
}

async function tuning(userId: number) {
  const row = await env.DB.prepare("select sync_tuning from users where id = ?")
    .bind(userId)
    .first<{ sync_tuning: string | null }>();
  return row?.sync_tuning
    ? (JSON.parse(row.sync_tuning) as {
        failedAt: Record<string, number>;
        cutoffMs?: number;
        msPerItem: Record<string, number>;
      })
    : null;
}

// Every emulated user stars the same first repositories, and repositories are global: start
// each test with none in D1, so each one downloads its READMEs under its own GitHub.
beforeEach(async () => {
  await env.DB.batch([env.DB.prepare("delete from stars"), env.DB.prepare("delete from repositories")]);
});

// Each test runs whole syncs against the emulator: 90 s is a guard against a hang, not a measure (a loaded
// machine took over 30 s).
describe("the sync against GitHub's limits", { timeout: 90_000 }, () => {
  it.each([
    ["HTTP 200 with data: null", ["200"]],
    ["502 and 504", ["502", "504"]],
  ])(
    "a README batch GitHub cuts off (%s) is asked again smaller, " +
      "and the next run starts below the size that was cut off",
    async (_, shapes) => {
      await using introspector = await fastWorkflows();
      const login = `cutoff-${shapes.join("-")}`;
      const { user } = await signIn(login, 400);
      // README batches: ~60 ms of (scaled) server time for 100 repositories' README.md, cut off at 25 ms.
      // No spread: a batch of the size that worked must not be cut off by a slow draw.
      await harsh(login, { cutoffMs: 25, timeoutShapes: shapes, timeoutPenaltyPoints: 5, model: { spread: 0 } });
      const done = await run(user.id, introspector);
      expect(done.total).toBe(400);
      const first = await tokenStats(login);
      expect(first.timeouts).toBeGreaterThan(0);
      expect(done.stats.timeouts).toBe(first.timeouts);
      await expectLibraryMatches(login, user.id);

      // What the run learned is kept: the size that was cut off, and the time per repository.
      const learned = await tuning(user.id);
      expect(learned?.failedAt["readme-batch"]).toBeGreaterThan(0);
      expect(learned?.msPerItem["readme-batch"]).toBeGreaterThan(0);
      // The same READMEs to fetch again (nothing in D1): this run starts from what the last one learned.
      await env.DB.batch([env.DB.prepare("delete from stars"), env.DB.prepare("delete from repositories")]);
      const again = await run(user.id, introspector);
      // Scaled down, response times are mostly the test machine's (a cut-off under a second teaches
      // no cut-off time), so the next run still meets some: fewer, as it starts below the failed size.
      expect(again.stats.timeouts).toBeLessThan(first.timeouts);
      await expectLibraryMatches(login, user.id);
    },
  );

  it("RESOURCE_LIMITS_EXCEEDED keeps the partial answer and asks again for the rest", async () => {
    await using introspector = await fastWorkflows();
    const login = "partial";
    const { user } = await signIn(login, 150);
    // A README batch of 50 takes ~30 ms (scaled); GitHub's budget for one query here: 15 ms.
    await harsh(login, { resourceLimitMs: 15, model: { spread: 0 } });
    const done = await run(user.id, introspector);
    expect(done.total).toBe(150);
    expect((await tokenStats(login)).resourceLimitHits).toBeGreaterThan(0);
    await expectLibraryMatches(login, user.id);
  });
});

describe("READMEs GitHub stores strangely", { timeout: 90_000 }, () => {
  it("a symlinked README is followed, a binary one is no README, a BOM is kept out of the text", async () => {
    await using introspector = await fastWorkflows();
    const login = "odd-readmes";
    const { user } = await signIn(login, 600);
    const truth = (await githubStars(login)) as Truth[];
    const kinds = (kind: string) => truth.filter((s) => s.readmeKind === kind);
    // The data set has about 1% of each among 600 repositories.
    expect(kinds("symlink").length).toBeGreaterThan(0);
    expect(kinds("binary").length).toBeGreaterThan(0);
    expect(kinds("bom").length).toBeGreaterThan(0);
    await run(user.id, introspector);
    const { lib } = await expectLibraryMatches(login, user.id);
    for (const star of kinds("symlink")) {
      const row = lib.get(star.fullName)!;
      expect(row.readme_status, star.fullName).toBe("ok");
      // The target's text, not the link's path.
      expect(row.readme_content!.length).toBeGreaterThan(100);
      expect(row.readme_content).not.toBe(star.readmeTarget);
    }
    for (const star of kinds("binary")) expect(lib.get(star.fullName)!.readme_status, star.fullName).toBe("missing");
    for (const star of kinds("bom")) {
      const row = lib.get(star.fullName)!;
      expect(row.readme_status).toBe("ok");
      expect(row.readme_content!.charCodeAt(0)).not.toBe(0xfeff);
    }
  });
});
