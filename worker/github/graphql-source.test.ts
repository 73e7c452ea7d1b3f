import { describe, expect, it } from "vitest";
import { readmeRefOf } from "./graphql-source";

type Entry = { name: string; type: string; oid: string; size?: number | null };
const tree = (...entries: Entry[]) => ({ entries });
const blob = (name: string, oid = `oid-${name}`): Entry => ({ name, type: "blob", oid, size: 100 });
const dir = (name: string): Entry => ({ name, type: "tree", oid: `tree-${name}` });
const node = (trees: { root?: unknown; dotGithub?: unknown; docs?: unknown }) =>
  ({ databaseId: 1, id: "R_1", nameWithOwner: "o/r", name: "r", owner: { login: "o" }, url: "u", stargazerCount: 0, isArchived: false, isFork: false, isPrivate: false, ...trees }) as Parameters<typeof readmeRefOf>[0];

describe("readmeRefOf: where GitHub would find the README", () => {
  it.each([
    ["README.md at the root", { root: tree(blob("README.md"), blob("index.js")) }, "README.md"],
    ["any case and extension", { root: tree(blob("readme.rst")) }, "readme.rst"],
    ["a bare README", { root: tree(blob("README")) }, "README"],
    ["markdown before other formats", { root: tree(blob("README.txt"), blob("README.md")) }, "README.md"],
    [".github/ before the root", { root: tree(blob("README.md"), dir(".github")), dotGithub: tree(blob("README.md")) }, ".github/README.md"],
    ["docs/ after the root", { root: tree(dir("docs")), docs: tree(blob("README.md")) }, "docs/README.md"],
    ["the root before docs/", { root: tree(blob("Readme.markdown"), dir("docs")), docs: tree(blob("README.md")) }, "Readme.markdown"],
  ])("%s", (_, trees, path) => {
    expect(readmeRefOf(node(trees))).toMatchObject({ kind: "found", path, sha: expect.any(String) });
  });

  it.each([
    ["no README anywhere", { root: tree(blob("index.js"), dir("docs")), docs: tree(blob("guide.md")) }],
    ["an empty repository", { root: null }],
    ["a directory named README", { root: tree(dir("README")) }],
    ["readme-like names that are not READMEs", { root: tree(blob("README-zh.md"), blob("readme_old.md")) }],
  ])("none: %s", (_, trees) => {
    expect(readmeRefOf(node(trees))).toEqual({ kind: "none" });
  });

  it("cannot tell without the root tree: REST decides", () => {
    expect(readmeRefOf(node({}))).toEqual({ kind: "unknown" });
  });
});
