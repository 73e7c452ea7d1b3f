import { describe, expect, it } from "vitest";
import { Me } from "../../shared/api";
import { ErrorBody } from "../../shared/errors";
import { SyncStatus } from "../../shared/events";
import { FACET_LIMIT, LibraryFacets } from "../../shared/repositories";
import { seedLibraryItem } from "../test/library-seed";
import { BASE, env, signIn, workerFetch } from "../test/helpers";

async function facets(session: string | null) {
  const response = await workerFetch(`${BASE}/api/repositories/facets`, {
    headers: session ? { Authorization: `Bearer ${session}` } : {},
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function facetsOf(session: string) {
  const answer = await facets(session);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return LibraryFacets.parse(answer.body);
}

describe("GET /api/repositories/facets", () => {
  it("needs a session", async () => {
    const answer = await facets(null);
    expect(answer.status).toBe(401);
    expect(ErrorBody.parse(answer.body).error.code).toBe("unauthorized");
  });

  it("counts languages and tags over the whole library, case-insensitively, one count per repository", async () => {
    const { sessionToken, user } = await signIn("facets-owner", 0);
    const add = (fullName: string, repo: object, star: object = {}) =>
      seedLibraryItem(user.id, { fullName, ...repo }, star);
    await add("a/one", { language: "Rust", topics: ["cli", "Search"] }, { customTags: ["search", "keep"] });
    await add("a/two", { language: "rust", topics: ["cli"] }, { analysis: { summary: "s", tags: ["CLI", "fast"] } });
    await add("a/three", { language: "Go", topics: [] }, { isStarred: false, isSaved: true });
    await add("a/four", { language: null, topics: ["web"] });
    // Not in the library: unstarred and not saved (kept for its notes only).
    await add("a/gone", { language: "COBOL", topics: ["legacy"] }, { isStarred: false, notes: "kept" });

    const answer = await facetsOf(sessionToken);
    expect(answer.total).toBe(4);
    expect(answer.languages).toEqual([
      { value: expect.stringMatching(/^rust$/i), count: 2 },
      { value: "Go", count: 1 },
    ]);
    // `search` is a topic and a custom tag of a/one: one repository, counted once.
    expect(answer.tags.map((tag) => [tag.value.toLowerCase(), tag.count])).toEqual([
      ["cli", 2],
      ["fast", 1],
      ["keep", 1],
      ["search", 1],
      ["web", 1],
    ]);
  });

  it("never counts a star whose repository is gone as starred: the facets, /api/me and the sync status", async () => {
    const { sessionToken, user } = await signIn("facets-gone", 0);
    await seedLibraryItem(user.id, { fullName: "g/here" }, { analysis: { summary: "s" } });
    await seedLibraryItem(user.id, { fullName: "g/saved" }, { isStarred: false, isSaved: true });
    const gone = await seedLibraryItem(user.id, { fullName: "g/deleted" }, { analysis: { summary: "s" } });
    await env.DB.prepare(
      "update stars set gone_reason = 'deleted', gone_at = ? where user_id = ? and repository_id = ?",
    )
      .bind(Date.now(), user.id, gone)
      .run();

    const answer = await facetsOf(sessionToken);
    expect([answer.total, answer.gone]).toEqual([2, 1]);
    const headers = { Authorization: `Bearer ${sessionToken}` };
    const me = Me.parse(await (await workerFetch(`${BASE}/api/me`, { headers })).json());
    expect(me.library).toEqual({ starred: 1, saved: 1, gone: 1 });
    const status = SyncStatus.parse(await (await workerFetch(`${BASE}/api/sync/status`, { headers })).json());
    expect(status.library).toMatchObject({ stars: 2, gone: 1, analysed: 1 });
  });

  it("shows one user nothing of another's library", async () => {
    const other = await signIn("facets-stranger", 0);
    await seedLibraryItem(other.user.id, { fullName: "b/private-thing", language: "Haskell", topics: ["secret"] });
    const mine = await signIn("facets-empty", 0);
    expect(await facetsOf(mine.sessionToken)).toEqual({ total: 0, gone: 0, languages: [], tags: [] });
    const theirs = await facetsOf(other.sessionToken);
    expect(theirs.languages).toEqual([{ value: "Haskell", count: 1 }]);
  });

  it(`lists at most ${FACET_LIMIT} tags, the most used first`, async () => {
    const { sessionToken, user } = await signIn("facets-many", 0);
    const topics = Array.from({ length: FACET_LIMIT + 20 }, (_, i) => `topic-${String(i).padStart(3, "0")}`);
    await seedLibraryItem(user.id, { fullName: "c/all", language: "C", topics });
    await seedLibraryItem(user.id, { fullName: "c/some", language: "C", topics: ["topic-219"] });
    const answer = await facetsOf(sessionToken);
    expect(answer.tags).toHaveLength(FACET_LIMIT);
    expect(answer.tags[0]).toEqual({ value: "topic-219", count: 2 });
    expect(answer.tags[1]).toEqual({ value: "topic-000", count: 1 });
  });
});
