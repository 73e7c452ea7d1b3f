import { describe, expect, it } from "vitest";
import { Digest, DIGEST_RESURFACED, WatchedReleases } from "../../shared/digest";
import { ErrorBody } from "../../shared/errors";
import { RepositoryItem } from "../../shared/repositories";
import { DAY, SINCE, seedDigestLibrary, seedHealthy } from "../test/digest-seed";
import { BASE, signIn, workerFetch } from "../test/helpers";

async function digestOf(sessionToken: string, query: string) {
  const response = await workerFetch(`${BASE}/api/digest?${query}`, {
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function digest(sessionToken: string, query: string): Promise<Digest> {
  const { status, body } = await digestOf(sessionToken, query);
  expect(status, JSON.stringify(body)).toBe(200);
  return Digest.parse(body);
}

const names = (section: { items: Array<{ fullName: string }> }) => section.items.map((item) => item.fullName);

describe("GET /api/digest", () => {
  it("says what changed since `since`, each kind in its own section, the boundary included", async () => {
    const { sessionToken, user } = await signIn("digest-sections", 0);
    await seedDigestLibrary(user.id, "ds");
    const result = await digest(sessionToken, `since=${encodeURIComponent(SINCE)}`);
    expect(result.since).toBe(SINCE);
    expect(result.quietYears).toBe(2);

    // Releases: one per repository, newest first; a release 1 ms before `since` is not in it.
    expect(names(result.releases)).toEqual(["ds/released", "ds/released-early"]);
    expect(result.releases.total).toBe(2);
    expect(result.releases.items[0]?.release).toEqual({
      tag: "v2.0.0",
      name: "Two",
      publishedAt: new Date(Date.parse(SINCE) + 3 * DAY).toISOString(),
      prerelease: false,
    });
    // Archived since, not before; gone with its reason and the user's note; unstarred by the user apart.
    expect(names(result.archived)).toEqual(["ds/archived"]);
    expect(result.gone.items).toMatchObject([{ fullName: "ds/deleted", goneReason: "deleted", notes: "kept note" }]);
    expect(names(result.unstarred)).toEqual(["ds/dropped"]);
    expect(result.unstarred.items[0]?.goneReason).toBeNull();
    // Quiet over the whole library (archived ones are archived, not quiet), the most recently quiet first.
    expect(names(result.quiet)).toEqual(["ds/went-quiet", "ds/quiet"]);
    expect(result.quiet).toMatchObject({ total: 2, newSince: 1 });
    expect(result.changes).toBe(2 + 1 + 1 + 1);
    // The forgotten: starred long ago, with the user's note and tags; others' text comes back as the same text.
    expect(result.resurfaced.map((item) => item.fullName).sort()).toEqual(["ds/old-a", "ds/old-b"]);
    expect(result.resurfaced[0]).toMatchObject({
      tags: ["forgotten"],
      starredAt: "2020-05-01T00:00:00.000Z",
      description: "<img src=x onerror=alert(1)> ignore previous instructions",
    });
  });

  it("takes a date as midnight UTC, and moves every section with `since`", async () => {
    const { sessionToken, user } = await signIn("digest-since", 0);
    await seedDigestLibrary(user.id, "dt");
    const later = new Date(Date.parse(SINCE) + 4 * DAY).toISOString().slice(0, 10);
    const result = await digest(sessionToken, `since=${later}`);
    expect(result.since).toBe(`${later}T00:00:00.000Z`);
    expect(result.releases.total).toBe(0);
    expect(result.archived.total).toBe(0);
    expect(names(result.gone)).toEqual(["dt/deleted"]);
    expect(names(result.unstarred)).toEqual(["dt/dropped"]);
    // Quiet is the whole library's, whatever `since`; only `newSince` moves.
    expect(result.quiet).toMatchObject({ total: 2, newSince: 0 });
    expect(result.changes).toBe(1);
  });

  it("counts quiet by `quietYears`", async () => {
    const { sessionToken, user } = await signIn("digest-quiet", 0);
    await seedDigestLibrary(user.id, "dq");
    const oneYear = await digest(sessionToken, `since=${encodeURIComponent(SINCE)}&quietYears=1`);
    expect(oneYear.quietYears).toBe(1);
    expect(names(oneYear.quiet)).toEqual(["dq/busy", "dq/went-quiet", "dq/quiet"]);
    expect(oneYear.quiet.newSince).toBe(0);
    const five = await digest(sessionToken, `since=${encodeURIComponent(SINCE)}&quietYears=5`);
    expect(five.quiet).toMatchObject({ total: 0, newSince: 0, items: [] });
  });

  it("lists at most 20 of a section and counts them all; resurfaces 3, the same 3 all day", async () => {
    const { sessionToken, user } = await signIn("digest-many", 0);
    for (let i = 0; i < 23; i++) {
      await seedHealthy(
        user.id,
        `dm/r${i}`,
        { releaseTag: `v${i}`, releaseAt: Date.parse(SINCE) + i * 1000 },
        { starredAt: Date.UTC(2019, 0, 1) + i },
      );
    }
    const first = await digest(sessionToken, `since=${encodeURIComponent(SINCE)}`);
    expect(first.releases.total).toBe(23);
    expect(first.releases.items).toHaveLength(20);
    expect(first.releases.items[0]?.fullName).toBe("dm/r22");
    expect(first.resurfaced).toHaveLength(DIGEST_RESURFACED);
    const again = await digest(sessionToken, `since=${encodeURIComponent(SINCE)}`);
    expect(again.resurfaced).toEqual(first.resurfaced);
  });

  it("is the caller's stars only", async () => {
    const owner = await signIn("digest-owner", 0);
    await seedDigestLibrary(owner.user.id, "do");
    const other = await signIn("digest-other", 0);
    const result = await digest(other.sessionToken, `since=${encodeURIComponent(SINCE)}`);
    expect(JSON.stringify(result)).not.toContain("do/");
    expect(result.changes).toBe(0);
  });

  it("refuses bad input with a 400 that says what is wrong", async () => {
    const { sessionToken } = await signIn("digest-bad", 0);
    for (const [query, message] of [
      ["", /since/],
      ["since=yesterday", /since must be an ISO date/],
      ["since=2026-13-45", /since must be an ISO date/],
      [`since=${SINCE}&quietYears=abc`, /quietYears must be a number/],
      [`since=${SINCE}&quietYears=0`, /quietYears must be at least 0.25/],
      [`since=${SINCE}&quietYears=100`, /quietYears must be at most 50/],
      [`since=${SINCE}&limit=3`, /limit/],
    ] as const) {
      const { status, body } = await digestOf(sessionToken, query);
      expect(status, query).toBe(400);
      const error = ErrorBody.parse(body).error;
      expect(error.code, query).toBe("bad_request");
      expect(error.message, query).toMatch(message);
    }
  });
});

describe("watched releases", () => {
  const watch = (sessionToken: string, fullName: string, watchReleases: unknown) =>
    workerFetch(`${BASE}/api/repositories/${fullName}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ watchReleases }),
    });
  const releasesOf = async (sessionToken: string, since: string) => {
    const response = await workerFetch(`${BASE}/api/digest/releases?since=${encodeURIComponent(since)}`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(response.status).toBe(200);
    return WatchedReleases.parse(await response.json());
  };

  it("are set per star through PATCH, kept for the user, listed since a time: watched, starred, not gone", async () => {
    const { sessionToken, user } = await signIn("watch-owner", 0);
    await seedDigestLibrary(user.id, "dw");
    await seedHealthy(
      user.id,
      "dw/gone-release",
      { releaseTag: "g1", releaseAt: Date.parse(SINCE) + DAY },
      {
        goneReason: "deleted",
        goneAt: Date.parse(SINCE) + 2 * DAY,
      },
    );
    expect((await releasesOf(sessionToken, SINCE)).total).toBe(0);

    for (const name of ["dw/released", "dw/released-before", "dw/gone-release", "dw/dropped"]) {
      const response = await watch(sessionToken, name, true);
      expect(response.status, name).toBe(200);
      expect(RepositoryItem.parse(await response.json()).watchReleases).toBe(true);
    }
    // dw/released-early has a release since, but is not watched; dw/released-before's is older than `since`.
    const answer = await releasesOf(sessionToken, SINCE);
    expect(answer.total).toBe(1);
    expect(answer.items.map((item) => [item.fullName, item.release?.tag])).toEqual([["dw/released", "v2.0.0"]]);
    expect((await releasesOf(sessionToken, new Date(Date.parse(SINCE) + 4 * DAY).toISOString())).total).toBe(0);

    // Unwatched again: gone from the list; another user's marks are theirs.
    expect((await watch(sessionToken, "dw/released", false)).status).toBe(200);
    expect((await releasesOf(sessionToken, SINCE)).total).toBe(0);
    const other = await signIn("watch-other", 0);
    expect((await releasesOf(other.sessionToken, SINCE)).items).toEqual([]);
    expect((await watch(other.sessionToken, "dw/released", true)).status).toBe(404);

    const bad = await watch(sessionToken, "dw/released", "yes");
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(await bad.json()).error.message).toContain("watchReleases must be true or false");
  });
});
