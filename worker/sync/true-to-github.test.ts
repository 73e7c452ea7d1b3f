import { describe, expect, it } from "vitest";
import { env, signIn } from "../test/helpers";
import { controlPost, doneOf, fastWorkflows, githubStars, library, syncOnce } from "../test/sync-helpers";

// The library stays true to GitHub: a listing read by offset while stars move, and GitHub
// refusing single repositories, never cost a user a star, a vector or their token.

/** Runs GitHub's first list page, then moves a star before the later pages are read. */
async function moveAfterFirstPage(login: string, action: Record<string, unknown>) {
  await controlPost("triggers", {
    route: "GET /user/starred",
    query: { page: "1", per_page: "100" },
    login,
    after: 1,
    action,
  });
}

/**
 * A repository only this user stars (the emulator creates it): changing its state or README
 * never touches what other test files, syncing the shared emulator at the same time, read.
 */
async function ownRepository(login: string, name: string, readme = `# ${name}\n\nA repository of ${login}'s own.\n`) {
  const fullName = `${login}-org/${name}`;
  await controlPost("star", { login, fullName, repo: { readme, description: `${name} of ${login}` } });
  return fullName;
}

async function userRow(userId: number) {
  return env.DB.prepare("select token_status from users where id = ?").bind(userId).first<{ token_status: string }>();
}

async function accessOf(userId: number, fullName: string) {
  return env.DB.prepare(
    `select s.is_starred, s.access_state, s.access_message, s.access_url, s.access_checked_at from stars s
     join repositories r on r.id = s.repository_id where s.user_id = ? and r.full_name = ?`,
  )
    .bind(userId, fullName)
    .first<{
      is_starred: number;
      access_state: string | null;
      access_message: string | null;
      access_url: string | null;
      access_checked_at: number | null;
    }>();
}

async function vectorCount(userId: number, fullName: string) {
  const row = await env.DB.prepare(
    "select count(*) as n from vectors " +
      "where namespace = ? and repository_id = (select id from repositories where full_name = ?)",
  )
    .bind(`u${userId}`, fullName)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("sync: GitHub refusing one repository", () => {
  it("a blocked repository is that repository's state: the token stays valid and the run finishes", async () => {
    await using _ = await fastWorkflows();
    const login = "refuse-blocked";
    const { sessionToken, user } = await signIn(login, 20);
    const blocked = await ownRepository(login, "blocked");
    await controlPost("repo-state", { fullName: blocked, state: "blocked" });
    try {
      const done = doneOf(await syncOnce(sessionToken));
      expect(done.total).toBe(21);
      expect(await userRow(user.id)).toMatchObject({ token_status: "valid" });
      expect(await accessOf(user.id, blocked)).toMatchObject({
        is_starred: 1,
        access_state: "blocked",
        access_message: "Repository access blocked",
      });
      expect((await library(user.id)).get(blocked)?.readme_status).toBe("error");

      // Asked again at most once a day: the next sync does not ask GitHub for it.
      const again = doneOf(await syncOnce(sessionToken));
      // The index of the user's GitHub Lists only (docs/architecture.md §4, "Lists").
      expect(again.stats.requests.graphql).toBe(1);
      expect(await accessOf(user.id, blocked)).toMatchObject({ is_starred: 1, access_state: "blocked" });
    } finally {
      await controlPost("repo-state", { fullName: blocked, state: "ok" });
    }
  });

  it(
    "a repository behind an organisation's SAML single sign-on stays starred, " + "with where to authorise the token",
    async () => {
      await using _ = await fastWorkflows();
      const login = "refuse-sso";
      const { sessionToken, user } = await signIn(login, 40);
      const protectedRepo = await ownRepository(login, "internal-tools");
      doneOf(await syncOnce(sessionToken));
      await controlPost("repo-state", { fullName: protectedRepo, state: "sso", org: "acme-corp" });
      try {
        // GitHub leaves it out of the list (X-GitHub-SSO: partial-results); asked by name it answers 403 SAML.
        const done = doneOf(await syncOnce(sessionToken));
        expect(done.unstarred_count).toBe(0);
        expect(done.stats.listing).toMatchObject({ partial: true, refused: 1 });
        expect(await userRow(user.id)).toMatchObject({ token_status: "valid" });
        const row = await accessOf(user.id, protectedRepo);
        expect(row).toMatchObject({ is_starred: 1, access_state: "sso" });
        expect(row?.access_url).toMatch(/^https:\/\/github\.com\/orgs\/acme-corp\/sso/);
      } finally {
        await controlPost("repo-state", { fullName: protectedRepo, state: "ok" });
      }
      // Authorised again: the next sync that reads it clears the state (a day later; here the check time is
      // moved back).
      await env.DB.prepare("update stars set access_checked_at = 0 where user_id = ?").bind(user.id).run();
      doneOf(await syncOnce(sessionToken));
      expect(await accessOf(user.id, protectedRepo)).toMatchObject({ is_starred: 1, access_state: null });
    },
  );
});

describe("sync: pagination drift", () => {
  it(
    "a first sync keeps every star when one is removed " + "from an earlier page while later pages are listed",
    async () => {
      await using _ = await fastWorkflows();
      const login = "drift-first";
      const { sessionToken, user } = await signIn(login, 350);
      const before = await githubStars(login);
      await moveAfterFirstPage(login, { unstar: before[5]!.fullName });

      const done = doneOf(await syncOnce(sessionToken));
      const truth = await githubStars(login);
      expect(truth).toHaveLength(349);
      const lib = await library(user.id);
      // Every star GitHub lists after the run is in the library, starred; the one removed after its
      // page was read may still be (the next sync removes it).
      for (const star of truth) expect(lib.get(star.fullName)?.is_starred, star.fullName).toBe(1);
      expect(done.unstarred_count).toBe(0);
      expect(done.total).toBe(350);
      expect(done.stats.listing).toMatchObject({ drifted: true, passes: 2 });
      // Each star counted once, although two passes listed it.
      expect(done.new_count).toBe(350);

      const next = doneOf(await syncOnce(sessionToken));
      expect(next).toMatchObject({ total: 349, unstarred_count: 1, new_count: 0 });
      expect(next.stats.listing).toMatchObject({ drifted: false, passes: 1, stillStarred: 0 });
      expect((await library(user.id)).get(before[5]!.fullName)?.is_starred).toBe(0);
    },
  );

  it(
    "a resync under drift unstars nothing still starred " + "and deletes no still-starred repository's vectors",
    async () => {
      await using _ = await fastWorkflows();
      const login = "drift-resync";
      const { sessionToken, user } = await signIn(login, 350);
      doneOf(await syncOnce(sessionToken));
      const before = await githubStars(login);
      // The repository a shifted listing would never show: the first of page 2.
      const shifted = before[100]!.fullName;
      const vectorsBefore = await vectorCount(user.id, shifted);
      expect(vectorsBefore).toBeGreaterThan(0);

      await moveAfterFirstPage(login, { unstar: before[5]!.fullName });
      const done = doneOf(await syncOnce(sessionToken));
      expect(done.unstarred_count).toBe(0);
      expect(await vectorCount(user.id, shifted)).toBe(vectorsBefore);
      const lib = await library(user.id);
      for (const star of await githubStars(login)) expect(lib.get(star.fullName)?.is_starred, star.fullName).toBe(1);
    },
  );

  it("a star added while later pages are listed is counted once and the library matches GitHub", async () => {
    await using _ = await fastWorkflows();
    const login = "drift-add";
    const { sessionToken, user } = await signIn(login, 250);
    doneOf(await syncOnce(sessionToken));
    await moveAfterFirstPage(login, { star: "drift-owner/brand-new" });

    const done = doneOf(await syncOnce(sessionToken));
    const truth = await githubStars(login);
    expect(truth).toHaveLength(251);
    const lib = await library(user.id);
    expect([...lib.values()].filter((row) => row.is_starred === 1)).toHaveLength(251);
    for (const star of truth) expect(lib.get(star.fullName)?.is_starred, star.fullName).toBe(1);
    expect(done).toMatchObject({ total: 251, new_count: 1, unstarred_count: 0 });
  });

  it(
    "a star GitHub no longer lists is confirmed gone before it is unstarred; " + "an hourly resync asks nothing more",
    async () => {
      await using _ = await fastWorkflows();
      const login = "drift-confirm";
      const { sessionToken, user } = await signIn(login, 120);
      doneOf(await syncOnce(sessionToken));
      const quiet = doneOf(await syncOnce(sessionToken));
      // A no-change resync: one probe and the pages, nothing to confirm.
      expect(quiet.stats.listing).toMatchObject({
        passes: 1,
        drifted: false,
        stillStarred: 0,
        refused: 0,
        deferred: 0,
      });
      expect(quiet.stats.requests.rest).toBe(3);

      const victim = (await githubStars(login))[50]!.fullName;
      await controlPost("unstar", { login, fullName: victim });
      const done = doneOf(await syncOnce(sessionToken));
      expect(done).toMatchObject({ total: 119, unstarred_count: 1 });
      // The probe, two pages, one confirmation (`GET /user/starred/{owner}/{repo}` → 404) and the repository by
      // id (200: it still exists, so the user unstarred it; a 404 or 451 would make it gone, worker/sync/unstar.ts).
      expect(done.stats.requests.rest).toBe(5);
      expect((await library(user.id)).get(victim)?.is_starred).toBe(0);
    },
  );
});

describe("sync: counters that survive retries", () => {
  it("a list step retried after some pages were written reports the true counts", async () => {
    await using _ = await fastWorkflows();
    const login = "retry-counts";
    const { sessionToken } = await signIn(login, 350);
    // Page 4 fails once: pages 1–3 are written by then, and the retried step finds them in D1.
    await controlPost("faults", { route: "GET /user/starred", query: { page: "4" }, login, status: 500, count: 1 });
    const done = doneOf(await syncOnce(sessionToken));
    expect(done).toMatchObject({ total: 350, new_count: 350, updated_count: 0 });
  });
});

describe("sync: READMEs true to GitHub", () => {
  async function readmeRow(userId: number, fullName: string) {
    return (await library(userId)).get(fullName) as
      | ((Awaited<ReturnType<typeof library>> extends Map<string, infer R> ? R : never) & {
          readme_path?: string | null;
        })
      | undefined;
  }
  async function pathOf(fullName: string) {
    return (await env.DB.prepare("select readme_path, readme_sha, readme_content from repositories where full_name = ?")
      .bind(fullName)
      .first<{
        readme_path: string | null;
        readme_sha: string | null;
        readme_content: string | null;
      }>())!;
  }

  it("a README renamed without a change gets its new path, without being downloaded again", async () => {
    await using _ = await fastWorkflows();
    const login = "readme-moved";
    const { sessionToken } = await signIn(login, 10);
    const repo = await ownRepository(login, "moved");
    doneOf(await syncOnce(sessionToken));
    const before = await pathOf(repo);
    expect(before.readme_path).toBe("README.md");

    await controlPost("push", { fullName: repo, readmePath: "docs/README.md" });
    const done = doneOf(await syncOnce(sessionToken));
    expect(done.stats.readmesFetched).toBe(0);
    expect(await pathOf(repo)).toEqual({ ...before, readme_path: "docs/README.md" });
  });

  it(
    "a symlinked README whose target has any name is followed by its mode; " +
      "the path is the link's, as GitHub reports it",
    async () => {
      await using _ = await fastWorkflows();
      const login = "readme-linked";
      const { sessionToken, user } = await signIn(login, 10);
      const text = "# Linked\n\nThe real text lives in docs/index.md.\n";
      // A new repository: README.md is read without its tree, so its mode comes from the root's tree.
      const fresh = await ownRepository(login, "linked-fresh");
      await controlPost("push", { fullName: fresh, readme: text, readmeLinkTo: "docs/index.md" });
      // A known repository pushed to a link.
      const known = await ownRepository(login, "linked-later");
      doneOf(await syncOnce(sessionToken));
      await controlPost("push", { fullName: known, readme: text, readmeLinkTo: "docs/index.md" });
      doneOf(await syncOnce(sessionToken));

      const truth = new Map((await githubStars(login)).map((s) => [s.fullName, s]));
      for (const repo of [fresh, known]) {
        expect(await pathOf(repo), repo).toEqual({
          readme_path: "README.md",
          readme_sha: truth.get(repo)!.readmeSha,
          readme_content: text,
        });
      }
      expect((await readmeRow(user.id, fresh))?.readme_status).toBe("ok");
    },
  );
});
