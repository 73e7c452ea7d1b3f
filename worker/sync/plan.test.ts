import { describe, expect, it } from "vitest";
import type { ReadmeRef, StarredRepo } from "../github/types";
import { planPage, readmeChange, type KnownRepo } from "./plan";

const repo = (githubId: number, pushedAt: number, readme: ReadmeRef): StarredRepo => ({
  starredAt: 1000 + githubId,
  readme,
  repo: {
    githubId, nodeId: `R_${githubId}`, fullName: `o/r${githubId}`, name: `r${githubId}`, ownerLogin: "o", ownerAvatarUrl: null,
    description: null, htmlUrl: `https://github.com/o/r${githubId}`, homepage: null, stargazersCount: 1, language: null,
    topics: [], license: null, archived: false, fork: false, isPrivate: false, githubCreatedAt: 0, githubUpdatedAt: 0,
    githubPushedAt: pushedAt,
  },
});
const known = (githubId: number, over: Partial<KnownRepo> = {}): KnownRepo => ({
  githubId, metaHash: "h", readmeSha: "sha-1", readmeStatus: "ok", readmePath: "README.md", githubPushedAt: 5, meta: null, ...over,
});
const found = (sha: string): ReadmeRef => ({ kind: "found", sha, path: "README.md", byteSize: 10 });

function plan(item: StarredRepo, k: KnownRepo | null, star?: { isStarred: boolean; starredAt: number | null }, hash = "h") {
  const id = item.repo.githubId;
  return planPage(
    [item],
    new Map([[id, hash]]),
    new Map(k ? [[id, k]] : []),
    new Map(star ? [[id, { githubId: id, access: null, accessCheckedAt: null, ...star }]] : []),
    Date.now(),
  )[0]!;
}

describe("planPage", () => {
  it("a new repository is inserted, starred and its README asked for", () => {
    const p = plan(repo(1, 5, found("sha-1")), null);
    expect(p).toMatchObject({ repo: "insert", star: "new", readme: { githubId: 1, knownSha: null } });
  });

  it("an unchanged repository and star cost nothing", () => {
    const p = plan(repo(1, 5, found("sha-1")), known(1), { isStarred: true, starredAt: 1001 });
    expect(p).toMatchObject({ repo: "keep", star: "keep", readme: null });
  });

  it.each<[string, ReadmeRef, Partial<KnownRepo>, boolean]>([
    ["a new blob sha", found("sha-2"), {}, true],
    ["the same blob sha", found("sha-1"), {}, false],
    ["a README that failed last time", found("sha-1"), { readmeStatus: "error" }, true],
    ["a README never looked at", found("sha-1"), { readmeStatus: null }, true],
    ["a README that disappeared", { kind: "none" }, {}, true],
    ["still no README", { kind: "none" }, { readmeStatus: "missing", readmeSha: null }, false],
    ["REST (unknown) and not pushed", { kind: "unknown" }, {}, false],
  ])("README for %s: %s", (_, ref, over, asked) => {
    const p = plan(repo(1, 5, ref), known(1, over), { isStarred: true, starredAt: 1001 });
    expect(p.readme !== null).toBe(asked);
  });

  it("REST: a pushed repository is asked for its README, with the sha we hold", () => {
    const p = plan(repo(1, 6, { kind: "unknown" }), known(1), { isStarred: true, starredAt: 1001 });
    expect(p.readme).toMatchObject({ knownSha: "sha-1", ref: { kind: "unknown" } });
  });

  it("changed metadata updates the row; a re-star or a new star time rewrites the star", () => {
    expect(plan(repo(1, 5, found("sha-1")), known(1), { isStarred: true, starredAt: 1001 }, "other").repo).toBe("update");
    expect(plan(repo(1, 5, found("sha-1")), known(1), { isStarred: false, starredAt: 1001 }).star).toBe("new");
    expect(plan(repo(1, 5, found("sha-1")), known(1), { isStarred: true, starredAt: 9 }).star).toBe("refresh");
  });
});

describe("readmeChange", () => {
  const text = { sha: "sha-2", path: "README.md", text: "# Hi", truncated: false };
  it("new text clears the analysis only when the content changed", () => {
    expect(readmeChange({ githubId: 1, kind: "ok", readme: text }, known(1))).toMatchObject({ kind: "content", contentChanged: true });
    expect(readmeChange({ githubId: 1, kind: "ok", readme: { ...text, sha: "sha-1" } }, known(1, { readmeStatus: "error" }))).toMatchObject({
      kind: "content",
      contentChanged: false,
    });
  });
  it("a failure keeps the text and is recorded once", () => {
    expect(readmeChange({ githubId: 1, kind: "error", message: "x" }, known(1))).toEqual({ kind: "error" });
    expect(readmeChange({ githubId: 1, kind: "error", message: "x" }, known(1, { readmeStatus: "error" }))).toBeNull();
  });
  it("unchanged writes nothing; missing forgets the old text", () => {
    expect(readmeChange({ githubId: 1, kind: "unchanged" }, known(1))).toBeNull();
    expect(readmeChange({ githubId: 1, kind: "missing" }, known(1))).toEqual({ kind: "missing", contentChanged: true });
  });
});
