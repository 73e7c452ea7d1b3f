import { describe, expect, it } from "vitest";
import { RepositoryItem } from "../../shared/repositories";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { controlPost, doneOf, fastWorkflows, githubStars, syncOnce } from "../test/sync-helpers";

// Star health (docs/architecture.md §2, §4): what happened to a starred repository on GitHub, kept per
// repository without asking GitHub more than the sync did, and a repository gone from GitHub told apart
// from one the user unstarred, notes and tags kept in every case.

/** A repository only this user stars (another test file's sync never reads it). */
async function ownRepository(login: string, name: string, owner = `${login}-org`) {
  const fullName = `${owner}/${name}`;
  await controlPost("star", { login, fullName, repo: { readme: `# ${name}\n\nOf ${login}.\n` } });
  return fullName;
}

async function item(sessionToken: string, fullName: string): Promise<RepositoryItem> {
  const response = await workerFetch(`${BASE}/api/repositories/${fullName}`, {
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  expect(response.status, fullName).toBe(200);
  return RepositoryItem.parse(await response.json());
}

async function noteOn(userId: number, fullName: string, notes: string) {
  await env.DB.prepare(
    `update stars set notes = ?, custom_tags = '["keep"]'
     where user_id = ? and repository_id = (select id from repositories where full_name = ?)`,
  )
    .bind(notes, userId, fullName)
    .run();
}

async function requests(login: string) {
  const stats = (await controlPost("stats", undefined)) as {
    rateLimit: Record<string, { core: { total: number }; graphql: { total: number } }>;
  };
  return { core: stats.rateLimit[login]!.core.total, graphql: stats.rateLimit[login]!.graphql.total };
}

describe("star health: gone is not unstarred", () => {
  it("a deleted repository keeps its notes and shows as gone, with one more request to tell it", async () => {
    await using _ = await fastWorkflows();
    const login = "health-deleted";
    const { sessionToken, user } = await signIn(login, 5);
    const theirs = await ownRepository(login, "theirs");
    // Owned by the user: a 404 to its own owner is a deletion.
    const mine = await ownRepository(login, "mine", login);
    doneOf(await syncOnce(sessionToken));
    await noteOn(user.id, theirs, "why I starred it");
    await noteOn(user.id, mine, "my own");
    await controlPost("repo-state", { fullName: theirs, state: "deleted" });
    await controlPost("repo-state", { fullName: mine, state: "deleted" });
    const before = await requests(login);

    const done = doneOf(await syncOnce(sessionToken));
    expect(done).toMatchObject({ total: 5, unstarred_count: 0 });
    expect(done.stats.listing).toMatchObject({ gone: 2, stillStarred: 0, deferred: 0 });
    // The probe and one page; for each: the star check (404) and the repository by id (404).
    expect((await requests(login)).core - before.core).toBe(2 + 2 * 2);
    const gone = await item(sessionToken, theirs);
    expect(gone).toMatchObject({ isStarred: true, unstarredAt: null, notes: "why I starred it", customTags: ["keep"] });
    expect(gone.health.gone).toMatchObject({ reason: "private-or-deleted" });
    expect((await item(sessionToken, mine)).health.gone).toMatchObject({ reason: "deleted" });

    // Not asked again: the next sync has nothing to confirm.
    const again = before.core;
    doneOf(await syncOnce(sessionToken));
    expect((await requests(login)).core - again).toBe(2 + 2 * 2 + 2);
  });

  it("a blocked repository (451) is gone as blocked; a star the user unstarred is unstarred", async () => {
    await using _ = await fastWorkflows();
    const login = "health-blocked";
    const { sessionToken, user } = await signIn(login, 5);
    const blocked = await ownRepository(login, "taken-down");
    const dropped = await ownRepository(login, "dropped");
    doneOf(await syncOnce(sessionToken));
    await noteOn(user.id, blocked, "a note");
    await noteOn(user.id, dropped, "another note");
    await controlPost("repo-state", { fullName: blocked, state: "dmca" });
    await controlPost("unstar", { login, fullName: dropped });

    const done = doneOf(await syncOnce(sessionToken));
    expect(done).toMatchObject({ unstarred_count: 1 });
    expect(await item(sessionToken, blocked)).toMatchObject({
      isStarred: true,
      notes: "a note",
      access: null,
      health: { gone: { reason: "blocked" } },
    });
    const unstarred = await item(sessionToken, dropped);
    expect(unstarred).toMatchObject({ isStarred: false, notes: "another note", health: { gone: null } });
    expect(unstarred.unstarredAt).not.toBeNull();
  });

  it("a repository made private is gone, and comes back as a star if GitHub lists it again", async () => {
    await using _ = await fastWorkflows();
    const login = "health-private";
    const { sessionToken } = await signIn(login, 3);
    const hidden = await ownRepository(login, "hidden");
    doneOf(await syncOnce(sessionToken));
    await controlPost("repo-state", { fullName: hidden, state: "private" });
    doneOf(await syncOnce(sessionToken));
    expect((await item(sessionToken, hidden)).health.gone).toMatchObject({ reason: "private-or-deleted" });
    // Public again and starred again: listed, so no longer gone.
    await controlPost("repo-state", { fullName: hidden, state: "ok" });
    await controlPost("star", { login, fullName: hidden });
    doneOf(await syncOnce(sessionToken));
    expect(await item(sessionToken, hidden)).toMatchObject({ isStarred: true, health: { gone: null } });
  });

  it("a renamed or transferred repository keeps its row and notes under its new name", async () => {
    await using _ = await fastWorkflows();
    const login = "health-renamed";
    const { sessionToken, user } = await signIn(login, 3);
    const old = await ownRepository(login, "before");
    doneOf(await syncOnce(sessionToken));
    await noteOn(user.id, old, "kept through the move");
    const idOf = async (fullName: string) =>
      (
        await env.DB.prepare("select id, github_id from repositories where full_name = ?")
          .bind(fullName)
          .first<{ id: number; github_id: number }>()
      )?.id;
    const rowBefore = await idOf(old);
    await controlPost("users", { login: "health-newhome", stars: 0 });
    await controlPost("rename", { fullName: old, newName: "health-newhome/after" });

    const done = doneOf(await syncOnce(sessionToken));
    expect(done).toMatchObject({ total: 4, unstarred_count: 0, new_count: 0 });
    expect(await idOf("health-newhome/after")).toBe(rowBefore);
    expect(await item(sessionToken, "health-newhome/after")).toMatchObject({
      isStarred: true,
      notes: "kept through the move",
      owner: "health-newhome",
      health: { gone: null },
    });
  });
});

describe("star health: facts kept per repository", () => {
  it("archived and disabled follow the list; a release after a push is recorded with the last commit", async () => {
    await using _ = await fastWorkflows();
    const login = "health-facts";
    const { sessionToken } = await signIn(login, 3);
    const repo = await ownRepository(login, "facts");
    doneOf(await syncOnce(sessionToken));
    const first = await item(sessionToken, repo);
    expect(first.health).toMatchObject({ archived: false, disabled: false, latestRelease: null, gone: null });
    expect(first.health.checkedAt).not.toBeNull();
    expect(first.health.lastCommitAt).not.toBeNull();

    await controlPost("archive", { fullName: repo });
    await controlPost("disable", { fullName: repo });
    const pushed = (await controlPost("push", { fullName: repo })) as { pushedAt: string };
    await controlPost("release", { fullName: repo, tag: "v1.0.0", name: "One", tagPush: true });
    doneOf(await syncOnce(sessionToken));
    const after = await item(sessionToken, repo);
    expect(after.archived).toBe(true);
    expect(after.health).toMatchObject({
      archived: true,
      disabled: true,
      latestRelease: { tag: "v1.0.0", name: "One", prerelease: false },
      lastCommitAt: pushed.pushedAt.replace("Z", ".000Z"),
    });
    expect(after.health.archivedAt).not.toBeNull();

    await controlPost("archive", { fullName: repo, archived: false });
    await controlPost("disable", { fullName: repo, disabled: false });
    doneOf(await syncOnce(sessionToken));
    expect((await item(sessionToken, repo)).health).toMatchObject({ archived: false, disabled: false });
  });

  it("the hourly resync asks nothing more; the daily catch-up finds a release that moved nothing", async () => {
    await using _ = await fastWorkflows();
    const login = "health-catch-up";
    const { sessionToken, user } = await signIn(login, 120);
    const repo = await ownRepository(login, "quiet");
    doneOf(await syncOnce(sessionToken));
    const before = await requests(login);
    const quiet = doneOf(await syncOnce(sessionToken));
    // The probe and two pages; one GraphQL request: the index of the user's GitHub Lists (§4, "Lists").
    expect(quiet.stats.requests).toMatchObject({ rest: 3, graphql: 1 });
    expect((await requests(login)).graphql).toBe(before.graphql + 1);

    // Made on github.com on a commit already there: pushed_at does not move, the listing sees nothing.
    const truth = (await githubStars(login)).find((s) => s.fullName === repo) as { pushedAt?: string };
    const released = (await controlPost("release", { fullName: repo, tag: "v2.0.0" })) as { pushedAt: string };
    expect(released.pushedAt).toBe(truth.pushedAt);
    const hourly = doneOf(await syncOnce(sessionToken));
    expect(hourly.stats.requests).toMatchObject({ rest: 3, graphql: 1 });
    expect((await item(sessionToken, repo)).health.latestRelease).toBeNull();

    // A day later, with its health a week old: the catch-up asks it (one batch, one point).
    const dayAgo = Date.now() - 25 * 60 * 60_000;
    const weekAgo = Date.now() - 8 * 24 * 60 * 60_000;
    await env.DB.prepare("update users set health_caught_up_at = ? where id = ?").bind(dayAgo, user.id).run();
    await env.DB.prepare("update repositories set health_checked_at = ? where full_name = ?").bind(weekAgo, repo).run();
    const daily = doneOf(await syncOnce(sessionToken));
    expect(daily.stats.requests).toMatchObject({ rest: 3, graphql: 2 });
    expect((await item(sessionToken, repo)).health.latestRelease).toMatchObject({ tag: "v2.0.0" });
    // And not again within the day.
    const next = doneOf(await syncOnce(sessionToken));
    expect(next.stats.requests).toMatchObject({ rest: 3, graphql: 1 });
  });
});
