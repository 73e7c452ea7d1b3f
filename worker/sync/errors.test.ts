import { describe, expect, it } from "vitest";
import { isFinal, readSse, type SyncEvent } from "../../shared/events";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { controlPost, doneOf, fastWorkflows, finalEvent, githubStars, library, syncOnce } from "../test/sync-helpers";

describe("sync: GitHub misbehaving", () => {
  it("waits out an exhausted primary rate limit and completes", async () => {
    // Real sleeps: the run must sleep until the reset GitHub announced.
    await using _ = await fastWorkflows({ sleeps: true });
    const { sessionToken, user } = await signIn("rl-primary", 40);
    await controlPost("rate-limit", { login: "rl-primary", resource: "graphql", remaining: 0, resetInSeconds: 1 });
    const started = Date.now();
    const events = await syncOnce(sessionToken);
    const done = doneOf(events);
    expect(done.total).toBe(40);
    expect((await library(user.id)).size).toBe(40);
    // The wait was said before the sleep: for GitHub, GitHub's words, and when it resumes.
    const waits = events.flatMap((e) => (e.event === "progress" && e.data.wait ? [e.data] : []));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ phase: "fetching", wait: { for: "github", reason: expect.any(String) } });
    expect(waits[0]!.wait!.until).toBeGreaterThan(started);
  });

  it("honours a secondary limit's retry-after and completes", async () => {
    await using _ = await fastWorkflows({ sleeps: true });
    const { sessionToken } = await signIn("rl-secondary", 40);
    await controlPost("faults", {
      route: "POST /graphql",
      login: "rl-secondary",
      secondary: { retryAfter: 1 },
      count: 1,
    });
    const done = doneOf(await syncOnce(sessionToken));
    expect(done.total).toBe(40);
  });

  it("rides out a burst of 5xx answers (retries, smaller pages) and loses nothing", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("burst-5xx", 150);
    await controlPost("faults", { route: "POST /graphql", login: "burst-5xx", status: 502, count: 2 });
    await controlPost("faults", { route: "POST /graphql", login: "burst-5xx", status: 500, count: 2 });
    const done = doneOf(await syncOnce(sessionToken));
    expect(done.total).toBe(150);
    const truth = await githubStars("burst-5xx");
    const lib = await library(user.id);
    expect(lib.size).toBe(150);
    for (const star of truth) expect(lib.get(star.fullName)?.readme_sha ?? null).toBe(star.readmeSha ?? null);
  });

  it("one repository's README failing never fails the run; it is fetched next time", async () => {
    await using _ = await fastWorkflows();
    const login = "readme-fail";
    const { sessionToken, user } = await signIn(login, 30);
    // A repository only this user stars, newest (page 1): GitHub loses it right after listing it, so
    // its README lookup comes back empty.
    const doomed = `${login}-org/flaky`;
    await controlPost("star", { login, fullName: doomed, repo: { readme: "# flaky\n\nBack soon.\n" } });
    await controlPost("triggers", {
      route: "GET /user/starred",
      query: { page: "1", per_page: "100" },
      login,
      after: 1,
      action: { state: { fullName: doomed, state: "deleted" } },
    });
    const first = doneOf(await syncOnce(sessionToken));
    expect(first).toMatchObject({ total: 31, new_count: 31, unstarred_count: 0 });
    expect(first.stats.failures).toBe(1);
    expect((await library(user.id)).get(doomed)).toMatchObject({ readme_status: "error", is_starred: 1 });

    await controlPost("repo-state", { fullName: doomed, state: "ok" });
    const second = doneOf(await syncOnce(sessionToken));
    expect(second.stats.failures).toBe(0);
    const sha = (await githubStars(login)).find((s) => s.fullName === doomed)!.readmeSha;
    expect((await library(user.id)).get(doomed)).toMatchObject({ readme_status: "ok", readme_sha: sha });
  });

  it("a revoked token ends the run with github_token_invalid, marks the user, deletes nothing", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("revoked", 30);
    doneOf(await syncOnce(sessionToken));
    await controlPost("revoke", { login: "revoked" });
    const last = finalEvent(await syncOnce(sessionToken));
    expect(last).toMatchObject({ event: "error", data: { code: "github_token_invalid" } });
    expect((await library(user.id)).size).toBe(30);
    const row = await env.DB.prepare("select token_status from users where id = ?").bind(user.id).first();
    expect(row).toMatchObject({ token_status: "invalid" });
    // Until the user reconnects, a sync says so at once.
    const again = finalEvent(await syncOnce(sessionToken));
    expect(again).toMatchObject({ event: "error", data: { code: "github_token_invalid" } });
  });

  it("a stored token that no longer decrypts (key rotated) ends the run at once, like a revoked one", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("unreadable", 5);
    await env.DB.prepare(
      "update users set token_ciphertext = 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA' where id = ?",
    )
      .bind(user.id)
      .run();
    const last = finalEvent(await syncOnce(sessionToken));
    expect(last).toMatchObject({ event: "error", data: { code: "github_token_invalid" } });
    const row = await env.DB.prepare("select token_status from users where id = ?").bind(user.id).first();
    expect(row).toMatchObject({ token_status: "invalid" });
  });

  it("a token revoked in the middle of a sync keeps what was saved", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("revoked-mid", 1500);
    await controlPost("config", { latencyMs: 30 });
    try {
      // Revoked once 1,000 stars are listed, in the middle of a step.
      const response = await workerFetch(`${BASE}/api/repositories/sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${sessionToken}` },
      });
      let last: SyncEvent | undefined;
      let revoked = false;
      for await (const event of readSse(response.body!)) {
        last = event;
        if (
          !revoked &&
          event.event === "progress" &&
          event.data.phase === "fetching" &&
          (event.data.listed ?? 0) >= 1000
        ) {
          revoked = true;
          await controlPost("revoke", { login: "revoked-mid" });
        }
        if (isFinal(event)) break;
      }
      expect(revoked).toBe(true);
      expect(last).toMatchObject({ event: "error", data: { code: "github_token_invalid" } });
    } finally {
      await controlPost("config", { latencyMs: 0 });
    }
    // Every page listed before the revocation stays, starred — those whose READMEs were still
    // being fetched too (written with their READMEs left for the next sync).
    const lib = await library(user.id);
    expect(lib.size).toBeGreaterThanOrEqual(1000);
    expect([...lib.values()].every((row) => row.is_starred === 1)).toBe(true);
  });
});
