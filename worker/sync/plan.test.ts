import { describe, expect, it } from "vitest";
import { META_FIELDS, type RepoMetadata, type StarredRepo } from "../github/types";
import {
  accessChange,
  ACCESS_RECHECK_MS,
  metaHash,
  planPage,
  readmeChange,
  type KnownRepo,
  type KnownStar,
} from "./plan";

const repo = (githubId: number, pushedAt = 5): StarredRepo => ({
  starredAt: 1000 + githubId,
  repo: {
    githubId,
    nodeId: `R_${githubId}`,
    fullName: `o/r${githubId}`,
    name: `r${githubId}`,
    ownerLogin: "o",
    ownerAvatarUrl: null,
    description: null,
    htmlUrl: `https://github.com/o/r${githubId}`,
    homepage: null,
    stargazersCount: 1,
    language: null,
    topics: [],
    license: null,
    archived: false,
    disabled: false,
    fork: false,
    isPrivate: false,
    githubCreatedAt: 0,
    githubUpdatedAt: 0,
    githubPushedAt: pushedAt,
  },
});
const known = (githubId: number, over: Partial<KnownRepo> = {}): KnownRepo => ({
  githubId,
  metaHash: "h",
  readmeSha: "sha-1",
  readmeStatus: "ok",
  readmePath: "README.md",
  githubPushedAt: 5,
  meta: null,
  ...over,
});
const NOW = 1_800_000_000_000;

function plan(item: StarredRepo, k: KnownRepo | null, star?: Partial<KnownStar>, hash = "h") {
  const id = item.repo.githubId;
  return planPage(
    [item],
    new Map([[id, hash]]),
    new Map(k ? [[id, k]] : []),
    new Map(
      star
        ? [[id, { githubId: id, isStarred: true, starredAt: 1001, access: null, accessCheckedAt: null, ...star }]]
        : [],
    ),
    NOW,
  )[0]!;
}

describe("planPage", () => {
  it("a new repository is inserted, starred and its README asked for", () => {
    const p = plan(repo(1), null);
    expect(p).toMatchObject({ repo: "insert", star: "new", readme: { githubId: 1, knownSha: null } });
  });

  it("an unchanged repository and star cost nothing", () => {
    const p = plan(repo(1), known(1), {});
    expect(p).toMatchObject({ repo: "keep", star: "keep", readme: null });
  });

  it.each<[string, number, Partial<KnownRepo>, boolean]>([
    ["not pushed", 5, {}, false],
    ["pushed since", 6, {}, true],
    ["a README that failed last time", 5, { readmeStatus: "error" }, true],
    ["a README never looked at", 5, { readmeStatus: null }, true],
    ["still no README, not pushed", 5, { readmeStatus: "missing", readmeSha: null }, false],
  ])("README when %s", (_, pushedAt, over, asked) => {
    expect(plan(repo(1, pushedAt), known(1, over), {}).readme !== null).toBe(asked);
  });

  it("a pushed repository is asked for its README with the sha we hold (its trees say whether it changed)", () => {
    expect(plan(repo(1, 6), known(1), {}).readme).toEqual({
      githubId: 1,
      nodeId: "R_1",
      fullName: "o/r1",
      knownSha: "sha-1",
    });
  });

  it("a repository GitHub refused lately is not asked again within a day", () => {
    const refused = { access: { state: "blocked" as const, message: "Repository access blocked", url: null } };
    const lately = plan(repo(1, 6), known(1, { readmeStatus: "error" }), {
      ...refused,
      accessCheckedAt: NOW - ACCESS_RECHECK_MS + 60_000,
    });
    expect(lately.readme).toBeNull();
    const dayOld = plan(repo(1, 6), known(1, { readmeStatus: "error" }), {
      ...refused,
      accessCheckedAt: NOW - ACCESS_RECHECK_MS,
    });
    expect(dayOld.readme).not.toBeNull();
  });

  it("changed metadata updates the row; a re-star or a new star time rewrites the star", () => {
    expect(plan(repo(1), known(1), {}, "other").repo).toBe("update");
    expect(plan(repo(1), known(1), { isStarred: false }).star).toBe("new");
    expect(plan(repo(1), known(1), { starredAt: 9 }).star).toBe("refresh");
  });
});

describe("readmeChange", () => {
  const text = { sha: "sha-2", path: "README.md", text: "# Hi", truncated: false };
  it("new text is written only when the content changed (the same blob read again after a failure is not)", () => {
    expect(readmeChange({ githubId: 1, kind: "ok", readme: text }, known(1))).toMatchObject({
      kind: "content",
      contentChanged: true,
    });
    expect(
      readmeChange({ githubId: 1, kind: "ok", readme: { ...text, sha: "sha-1" } }, known(1, { readmeStatus: "error" })),
    ).toMatchObject({
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
    expect(readmeChange({ githubId: 1, kind: "unchanged", path: "README.md" }, known(1))).toBeNull();
    expect(readmeChange({ githubId: 1, kind: "missing" }, known(1))).toEqual({ kind: "missing" });
  });
  it("the same blob under another name moves the path only", () => {
    expect(readmeChange({ githubId: 1, kind: "unchanged", path: "docs/README.md" }, known(1))).toEqual({
      kind: "moved",
      path: "docs/README.md",
    });
    expect(
      readmeChange({ githubId: 1, kind: "ok", readme: { ...text, sha: "sha-1", path: "readme.md" } }, known(1)),
    ).toEqual({ kind: "moved", path: "readme.md" });
  });
  it("a refused repository keeps its text, as a failure does", () => {
    const access = { state: "sso" as const, message: "SAML", url: "https://github.com/orgs/o/sso" };
    expect(readmeChange({ githubId: 1, kind: "denied", access }, known(1))).toEqual({ kind: "error" });
  });
});

describe("accessChange", () => {
  const star = (access: KnownStar["access"]): KnownStar => ({
    githubId: 1,
    isStarred: true,
    starredAt: 1,
    access,
    accessCheckedAt: 1,
  });
  const access = { state: "blocked" as const, message: "Repository access blocked", url: null };
  it("records a refusal, clears it when GitHub serves the repository again, and writes nothing otherwise", () => {
    expect(accessChange({ githubId: 1, kind: "denied", access }, star(null))).toEqual(access);
    expect(accessChange({ githubId: 1, kind: "unchanged" }, star(access))).toBeNull();
    expect(accessChange({ githubId: 1, kind: "unchanged" }, star(null))).toBeUndefined();
    // A failure says nothing either way.
    expect(accessChange({ githubId: 1, kind: "error", message: "502" }, star(access))).toBeUndefined();
    expect(accessChange(undefined, star(access))).toBeUndefined();
  });
});

describe("metaHash", () => {
  const octocat: RepoMetadata = {
    githubId: 1296269,
    nodeId: "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
    fullName: "octocat/Hello-World",
    name: "Hello-World",
    ownerLogin: "octocat",
    ownerAvatarUrl: "https://github.com/images/error/octocat_happy.gif",
    description: "This your first repo! 框架",
    htmlUrl: "https://github.com/octocat/Hello-World",
    homepage: null,
    stargazersCount: 80,
    language: "C",
    topics: ["octocat", "atom", "electron", "api"],
    license: "MIT",
    archived: false,
    disabled: false,
    fork: false,
    isPrivate: false,
    githubCreatedAt: Date.parse("2011-01-26T19:01:12Z"),
    githubUpdatedAt: Date.parse("2011-01-26T19:14:43Z"),
    githubPushedAt: null,
  };

  it("is the hash D1 holds for this metadata: a field list in another order would rewrite every row", async () => {
    // Computed by the field-by-field metaHash before the list became META_FIELDS (2026-12-05).
    expect(await metaHash(octocat)).toBe("deff7baa70a992f0d982f877644c665d4ccc4cf3");
  });

  it("covers every field but the id", async () => {
    const base = await metaHash(octocat);
    expect(await metaHash({ ...octocat, githubId: 2 })).toBe(base);
    const changed: Array<Partial<RepoMetadata>> = [
      { nodeId: "R_x" },
      { fullName: "octocat/hello" },
      { name: "hello" },
      { ownerLogin: "hubot" },
      { ownerAvatarUrl: null },
      { description: null },
      { htmlUrl: "https://github.com/octocat/hello" },
      { homepage: "https://example.com" },
      { stargazersCount: 81 },
      { language: null },
      { topics: ["octocat"] },
      { license: null },
      { archived: true },
      // Hashed only when true: the hashes stored before `disabled` existed are those of repositories not disabled.
      { disabled: true },
      { fork: true },
      { isPrivate: true },
      { githubCreatedAt: 0 },
      { githubUpdatedAt: 0 },
      { githubPushedAt: 0 },
    ];
    expect(changed.map((change) => Object.keys(change)[0]).sort()).toEqual([...META_FIELDS].sort());
    for (const change of changed)
      expect(await metaHash({ ...octocat, ...change }), JSON.stringify(change)).not.toBe(base);
  });
});
