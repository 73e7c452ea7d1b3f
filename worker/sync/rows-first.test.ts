import { describe, expect, it } from "vitest";
import { isFinal, readSse, SyncStatus, type SyncEvent } from "../../shared/events";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { controlPost, doneOf, fastWorkflows, githubStars, library, syncOnce } from "../test/sync-helpers";

// Rows first (docs/architecture.md §4): a listed page is in the library at once, its README
// lookups follow from a queue, and a run that stops in between loses nothing and repeats nothing.

async function queued(userId: number): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from readme_queue where user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function status(sessionToken: string): Promise<SyncStatus> {
  const response = await workerFetch(`${BASE}/api/sync/status`, {
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  return SyncStatus.parse(await response.json());
}

describe("sync: rows first", () => {
  it("a run stopped mid-list keeps every listed row once; the next run looks up the READMEs it left", async () => {
    await using _ = await fastWorkflows();
    const login = "rows-first-cut";
    const { sessionToken, user } = await signIn(login, 1200);
    await controlPost("config", { latencyMs: 30 });
    let listedAtCut = 0;
    try {
      const response = await workerFetch(`${BASE}/api/repositories/sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${sessionToken}` },
      });
      let last: SyncEvent | undefined;
      for await (const event of readSse(response.body!)) {
        last = event;
        // The token is revoked once 500 stars are in the library: the listing stops with pages in flight.
        if (!listedAtCut && event.event === "progress" && event.data.phase === "fetching") {
          if ((event.data.listed ?? 0) >= 500) {
            listedAtCut = event.data.listed!;
            await controlPost("revoke", { login });
          }
        }
        if (isFinal(event)) break;
      }
      expect(last).toMatchObject({ event: "error", data: { code: "github_token_invalid" } });
    } finally {
      await controlPost("config", { latencyMs: 0 });
    }
    const truth = await githubStars(login);
    const cut = await library(user.id);
    // Every star said to be listed is in D1, starred, with its date; its README is not looked up yet.
    expect(listedAtCut).toBeGreaterThanOrEqual(500);
    expect(cut.size).toBeGreaterThanOrEqual(listedAtCut);
    expect(cut.size).toBeLessThan(truth.length);
    const byName = new Map(truth.map((s) => [s.fullName, s]));
    for (const row of cut.values()) {
      expect(row.is_starred).toBe(1);
      expect(row.starred_at).toBe(Date.parse(byName.get(row.full_name)!.starredAt));
    }
    const waiting = [...cut.values()].filter((row) => row.readme_status === null).length;
    expect(waiting).toBeGreaterThan(0);
    expect(await queued(user.id)).toBe(waiting);
    // The status says so: the stars in, the READMEs the next run will look up.
    expect((await status(sessionToken)).library).toMatchObject({ stars: cut.size, readmesPending: waiting });

    // Signed in again: the next run lists everything, adds only what was missing, and fetches the READMEs left.
    const again = await signIn(login, 1200);
    const done = doneOf(await syncOnce(again.sessionToken));
    expect(done).toMatchObject({ total: truth.length, new_count: truth.length - cut.size, unstarred_count: 0 });
    const lib = await library(user.id);
    expect([...lib.keys()].sort()).toEqual(truth.map((s) => s.fullName).sort());
    for (const star of truth) {
      const row = lib.get(star.fullName)!;
      expect(row.readme_status, star.fullName).toBe(star.readmeSha ? "ok" : "missing");
      if (star.readmeSha) expect(row.readme_sha).toBe(star.readmeSha);
    }
    expect(await queued(user.id)).toBe(0);
    expect((await status(again.sessionToken)).library).toMatchObject({ stars: truth.length, readmesPending: 0 });
    const rows = await env.DB.prepare(
      "select count(*) as n, count(distinct repository_id) as d from stars where user_id = ?",
    )
      .bind(user.id)
      .first<{ n: number; d: number }>();
    expect(rows).toEqual({ n: truth.length, d: truth.length });
  }, 120_000);
});
