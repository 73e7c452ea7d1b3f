import { describe, expect, it } from "vitest";
import { repositoryOfHref } from "./github-link";

describe("repositoryOfHref", () => {
  const page = "https://news.ycombinator.com/item?id=1";
  it.each([
    ["https://github.com/tokio-rs/tokio", "tokio-rs/tokio"],
    ["https://github.com/tokio-rs/tokio/", "tokio-rs/tokio"],
    ["http://www.github.com/Tokio-RS/Tokio?tab=readme#usage", "Tokio-RS/Tokio"],
    ["https://github.com/tokio-rs/tokio/blob/master/README.md", "tokio-rs/tokio"],
    ["https://github.com/tokio-rs/tokio/issues/12", "tokio-rs/tokio"],
    ["https://github.com/tokio-rs/tokio.git", "tokio-rs/tokio"],
    ["https://github.com/vercel/next.js", "vercel/next.js"],
  ])("%s → %s", (href, expected) => expect(repositoryOfHref(href, page)).toBe(expected));

  it.each([
    "https://github.com/tokio-rs",
    "https://github.com/",
    "https://github.com/features/actions",
    "https://github.com/topics/rust",
    "https://github.com/orgs/tokio-rs/people",
    "https://github.com/sponsors/someone",
    "https://gist.github.com/someone/abc123",
    "https://github.community/t/1",
    "https://notgithub.com/a/b",
    "https://github.com.evil.example/a/b",
    "javascript:alert('https://github.com/a/b')",
    "/a/b",
    "https://github.com/-bad/name",
    "https://github.com/a/..",
    "http://[bad",
  ])("%s → null", (href) => expect(repositoryOfHref(href, page)).toBeNull());
});
