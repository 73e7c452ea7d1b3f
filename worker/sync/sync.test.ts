import { describe, expect, it } from "vitest";
import { signIn } from "../test/helpers";
import {
  controlPost,
  doneOf,
  fastWorkflows,
  githubStars,
  library,
  notInD1,
  stats,
  syncOnce,
} from "../test/sync-helpers";
import { env } from "../test/helpers";

const phases = (events: Awaited<ReturnType<typeof syncOnce>>) =>
  events.map((e) => (e.event === "progress" ? e.data.phase : e.event));

describe("sync: first run and resync", () => {
  it("brings every star into D1, with READMEs, then resyncs without writing", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("sync-first", 250);
    const events = await syncOnce(sessionToken);

    // The seed's phases, in the seed's order, with the seed's fields; `fetching` repeats with counts as pages land.
    expect(phases(events).filter((p, i, all) => p !== all[i - 1])).toEqual([
      "fetching",
      "fetched",
      "analyzing",
      "saving",
      "openrank",
      "embedding",
      "done",
    ]);
    const done = doneOf(events);
    expect(done).toMatchObject({ total: 250, new_count: 250, unstarred_count: 0 });
    const fetching = events.flatMap((e) => (e.event === "progress" && e.data.phase === "fetching" ? [e.data] : []));
    expect(fetching.at(-1)).toEqual({ phase: "fetching", listed: 250, total: 250, readmes: 250, readmesLeft: 0 });
    // Rows first: "listed" counts stars written into D1 (findable by name), page by page, and
    // every one was in before the first README was looked up.
    const listing = fetching.filter((d) => d.readmes === undefined && d.listed !== undefined).map((d) => d.listed!);
    expect(listing.at(-1)).toBe(250);
    expect(listing).toEqual([...listing].sort((a, b) => a - b));
    const readmes = fetching.filter((d) => d.readmes !== undefined);
    expect(readmes.every((d) => d.listed === 250)).toBe(true);
    expect(readmes.map((d) => d.readmes! + d.readmesLeft!)).toContain(250);
    expect(events.find((e) => e.event === "progress" && e.data.phase === "fetched")).toEqual({
      event: "progress",
      data: { phase: "fetched", total: 250, needsReadme: 250, at: expect.any(Number) },
    });

    const truth = await githubStars("sync-first");
    const lib = await library(user.id);
    expect([...lib.keys()].sort()).toEqual(truth.map((s) => s.fullName).sort());
    for (const star of truth) {
      const row = lib.get(star.fullName)!;
      expect(row.is_starred).toBe(1);
      expect(row.starred_at).toBe(Date.parse(star.starredAt));
      if (star.readmeSha) {
        expect(row.readme_status, star.fullName).toBe("ok");
        expect(row.readme_sha).toBe(star.readmeSha);
        expect(row.readme_content?.length).toBeGreaterThan(0);
      } else {
        expect(row.readme_status, star.fullName).toBe("missing");
      }
    }
    const downloads = (await stats()).readmeDownloads["sync-first"];
    expect(done.stats.readmesFetched).toBe(downloads);
    expect(done.stats.readmesFetched).toBe(truth.filter((s) => s.readmeSha).length);
    expect(done.stats.rowsWritten).toBeGreaterThanOrEqual(500);

    // Nothing changed on GitHub: nothing is downloaded or written.
    const before = await stats();
    const again = doneOf(await syncOnce(sessionToken));
    expect(again).toMatchObject({ total: 250, new_count: 0, updated_count: 0, unstarred_count: 0 });
    expect(again.stats.rowsWritten).toBe(0);
    expect(again.stats.readmesFetched).toBe(0);
    const after = await stats();
    expect(after.readmeDownloads["sync-first"]).toBe(before.readmeDownloads["sync-first"]);
    // 3 REST pages of stars and one count probe; no README request; one GraphQL point: the index of the user's
    // GitHub Lists (docs/architecture.md §4, "Lists").
    expect(after.rateLimit["sync-first"]!.core.used - before.rateLimit["sync-first"]!.core.used).toBe(4);
    expect(after.rateLimit["sync-first"]!.graphql.used).toBe(before.rateLimit["sync-first"]!.graphql.used + 1);

    const run = await env.DB.prepare("select status, counters from sync_runs where id = ?")
      .bind(again.runId)
      .first<{ status: string; counters: string }>();
    expect(run?.status).toBe("done");
    const me = await env.DB.prepare("select last_synced_at, next_sync_at from users where id = ?")
      .bind(user.id)
      .first<{ last_synced_at: number; next_sync_at: number }>();
    expect(me!.next_sync_at - me!.last_synced_at).toBe(3_600_000);
  });
});

describe("sync: changes on GitHub", () => {
  it("refreshes pushed repositories, downloads only changed READMEs, re-analyses only a new README", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("sync-push", 60);
    doneOf(await syncOnce(sessionToken));
    const truth = await githubStars("sync-push");
    const withReadme = truth.filter((s) => s.readmeSha);
    const [readmeChanged, codeOnly] = [withReadme[3]!, withReadme[7]!];
    const analysed = await library(user.id);
    const [oldChanged, oldCodeOnly] = [
      analysed.get(readmeChanged.fullName)?.analysis_id,
      analysed.get(codeOnly.fullName)?.analysis_id,
    ];
    expect(oldChanged).toEqual(expect.any(Number));
    expect(oldCodeOnly).toEqual(expect.any(Number));
    await controlPost("push", { fullName: readmeChanged.fullName, readme: "# Rewritten\n\nA brand new README." });
    await controlPost("push", { fullName: codeOnly.fullName });

    const done = doneOf(await syncOnce(sessionToken));
    expect(done.stats.readmesFetched).toBe(1);
    expect(done.updated_count).toBe(2);
    const lib = await library(user.id);
    expect(lib.get(readmeChanged.fullName)?.readme_content).toBe("# Rewritten\n\nA brand new README.");
    // The analysis is keyed by an input sha that includes the README's blob sha: a new README
    // makes it stale (the sync's analyse phase writes a new one), a push that left it alone does not.
    expect(lib.get(readmeChanged.fullName)?.analysis_id).toEqual(expect.any(Number));
    expect(lib.get(readmeChanged.fullName)?.analysis_id).not.toBe(oldChanged);
    expect(lib.get(codeOnly.fullName)?.analysis_id).toBe(oldCodeOnly);
    const pushedTruth = (await githubStars("sync-push")).find((s) => s.fullName === codeOnly.fullName) as {
      pushedAt?: string;
    };
    expect(lib.get(codeOnly.fullName)?.github_pushed_at).toBe(Date.parse(pushedTruth.pushedAt!));
  });

  it("a resync with one pushed repository (one tree lookup, no README download) finishes", async () => {
    // Regression: the README lanes were restarted in a loop that never yielded when a page
    // held exactly one lookup, and the run hung. A push that left the README alone is found
    // unchanged by its root tree (the blob sha), without downloading it.
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("sync-one-push", 30);
    doneOf(await syncOnce(sessionToken));
    const [first] = (await githubStars("sync-one-push")).filter((s) => s.readmeSha);
    await controlPost("push", { fullName: first!.fullName });
    const done = doneOf(await syncOnce(sessionToken));
    expect(done).toMatchObject({ total: 30, updated_count: 1 });
    // The tree lookup, and the index of the user's GitHub Lists.
    expect(done.stats).toMatchObject({ readmesFetched: 0, requests: { restNotModified: 0, graphql: 2 } });
  });

  it("stores hostile and huge READMEs as plain data", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("sync-hostile", 12);
    doneOf(await syncOnce(sessionToken));
    const [evil, huge] = (await githubStars("sync-hostile")).filter((s) => s.readmeSha);
    const hostile =
      "<script>alert(1)</script><img src=x onerror=alert(2)>\u0000'); DROP TABLE repositories; --\n\u202e甲乙 🙂";
    const big = `# Big\n${"0123456789abcdef".repeat(40_000)}`; // 640,000 characters
    await controlPost("push", { fullName: evil!.fullName, readme: hostile });
    await controlPost("push", { fullName: huge!.fullName, readme: big });

    const done = doneOf(await syncOnce(sessionToken));
    expect(done.stats.failures).toBe(0);
    const lib = await library(user.id);
    expect(lib.get(evil!.fullName)?.readme_content).toBe(hostile);
    // GitHub's GraphQL cuts Blob.text at 512,000 bytes; we keep what it gives, whole.
    const stored = lib.get(huge!.fullName)?.readme_content ?? "";
    expect(stored.length).toBe(512_000);
    expect(big.startsWith(stored)).toBe(true);
    expect((await env.DB.prepare("select count(*) as n from repositories").first<{ n: number }>())?.n).toBeGreaterThan(
      0,
    );
  });

  it("marks unstarred repositories, keeps the user's notes, and restores them on re-star", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("sync-unstar", 30);
    doneOf(await syncOnce(sessionToken));
    const victim = (await githubStars("sync-unstar"))[5]!.fullName;
    await env.DB.prepare(
      "update stars set notes = 'remember this' " +
        "where user_id = ? and repository_id = (select id from repositories where full_name = ?)",
    )
      .bind(user.id, victim)
      .run();

    await controlPost("unstar", { login: "sync-unstar", fullName: victim });
    const afterUnstar = doneOf(await syncOnce(sessionToken));
    expect(afterUnstar).toMatchObject({ total: 29, unstarred_count: 1, new_count: 0 });
    let row = (await library(user.id)).get(victim)!;
    expect(row).toMatchObject({ is_starred: 0, notes: "remember this" });
    expect(row.unstarred_at).toBeGreaterThan(0);

    await controlPost("star", { login: "sync-unstar", fullName: victim });
    const afterRestar = doneOf(await syncOnce(sessionToken));
    expect(afterRestar).toMatchObject({ total: 30, unstarred_count: 0, new_count: 1 });
    expect(afterRestar.stats.readmesFetched).toBe(0);
    row = (await library(user.id)).get(victim)!;
    expect(row).toMatchObject({ is_starred: 1, notes: "remember this", unstarred_at: null });
    expect(row.starred_at).toBe(Date.parse((await githubStars("sync-unstar"))[0]!.starredAt));
  });

  it("fetches the README of a saved (not starred) repository", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("sync-saved", 5);
    await signIn("sync-saved-other", 400);
    const mine = new Set((await githubStars("sync-saved")).map((s) => s.fullName));
    const other = (await notInD1(await githubStars("sync-saved-other"))).find(
      (s) => s.readmeSha && !mine.has(s.fullName),
    )!;
    await env.DB.prepare(
      `insert into repositories (github_id, node_id, full_name, name, owner_login, html_url, created_at, updated_at)
       values (?1, ?2, ?3, ?4, ?5, 'https://github.com/' || ?3, 0, 0)`,
    )
      .bind(
        other.id,
        (other as { nodeId?: string }).nodeId,
        other.fullName,
        other.fullName.split("/")[1],
        other.fullName.split("/")[0],
      )
      .run();
    await env.DB.prepare(
      "insert into stars (user_id, repository_id, is_saved, created_at) " +
        "values (?, (select id from repositories where full_name = ?), 1, 0)",
    )
      .bind(user.id, other.fullName)
      .run();

    const done = doneOf(await syncOnce(sessionToken));
    expect(done.total).toBe(5);
    const row = (await library(user.id)).get(other.fullName)!;
    expect(row).toMatchObject({ is_saved: 1, is_starred: 0, readme_status: "ok", readme_sha: other.readmeSha });
  });
});
