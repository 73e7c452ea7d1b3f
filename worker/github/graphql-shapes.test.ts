import { describe, expect, it } from "vitest";
import { readmeIn, toHealth } from "./graphql-shapes";

type Entry = { name: string; type: string; oid: string; size?: number | null; mode?: number };
const tree = (...entries: Entry[]) => ({ entries });
const blob = (name: string, oid = `oid-${name}`): Entry => ({ name, type: "blob", oid, size: 100, mode: 0o100644 });
const dir = (name: string): Entry => ({ name, type: "tree", oid: `tree-${name}`, mode: 0o40000 });

describe("readmeIn: the README GitHub would show from one folder", () => {
  it.each([
    ["README.md", tree(blob("README.md"), blob("index.js")), "README.md"],
    ["any case and extension", tree(blob("readme.rst")), "readme.rst"],
    ["a bare README", tree(blob("README")), "README"],
    ["markdown before other formats", tree(blob("README.txt"), blob("README.md")), "README.md"],
    ["a bare README before other extensions", tree(blob("README.txt"), blob("README")), "README"],
  ])("%s", (_, folder, path) => {
    expect(readmeIn(folder, "docs/")).toEqual({ sha: `oid-${path}`, path: `docs/${path}`, byteSize: 100 });
  });

  it.each([
    ["no README", tree(blob("index.js"), dir("docs"))],
    ["no tree (an empty repository, a missing folder)", null],
    ["a directory named README", tree(dir("README"))],
    ["readme-like names that are not READMEs", tree(blob("README-zh.md"), blob("readme_old.md"))],
  ])("none: %s", (_, folder) => {
    expect(readmeIn(folder, "")).toBeNull();
  });

  it("a symlink is known by its mode (120000), whatever it points at", () => {
    expect(readmeIn(tree({ name: "README.md", type: "blob", oid: "link", size: 13, mode: 0o120000 }), "")).toEqual({
      sha: "link",
      path: "README.md",
      byteSize: 13,
      symlink: true,
    });
  });
});

describe("toHealth: a repository's health in an answer that asked for it", () => {
  it("reads the release, archive date and last commit; null where GitHub has none", () => {
    expect(
      toHealth({
        archivedAt: "2025-01-02T03:04:05Z",
        latestRelease: { tagName: "v1.2.0", name: null, publishedAt: "2026-10-01T00:00:00Z", isPrerelease: false },
        defaultBranchRef: { target: { committedDate: "2026-09-30T12:00:00Z" } },
      }),
    ).toEqual({
      archivedAt: Date.parse("2025-01-02T03:04:05Z"),
      latestRelease: {
        tagName: "v1.2.0",
        name: null,
        publishedAt: Date.parse("2026-10-01T00:00:00Z"),
        isPrerelease: false,
      },
      lastCommitAt: Date.parse("2026-09-30T12:00:00Z"),
    });
    // An empty repository has no default branch; most have no release.
    expect(toHealth({ archivedAt: null, latestRelease: null, defaultBranchRef: null })).toEqual({
      archivedAt: null,
      latestRelease: null,
      lastCommitAt: null,
    });
  });

  it("is null for an answer that did not ask (a later README stage) or did not come", () => {
    expect(toHealth({ root: { entries: [] } })).toBeNull();
    expect(toHealth(null)).toBeNull();
  });
});
