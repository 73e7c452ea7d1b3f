import { describe, expect, it } from "vitest";
import { GITHUB_OWNER, GITHUB_REPO_NAME } from "../../shared/repositories";
import {
  isFullName,
  isRepositoryList,
  isRepositoryPage,
  OWNER_RULE,
  REPO_NAME_RULE,
  repositoryOf,
  repositoryOfLink,
} from "./page";

// Real GitHub URLs (the saved pages in e2e/fixtures/github-pages/ and their neighbours).
const repositoryPages = [
  "https://github.com/microsoft/playwright",
  "https://github.com/ammarasad2005/Drama-Ghar",
  "https://github.com/docker-library/docker",
  "https://github.com/tthheusalmeida/portfolio/tree/main/src",
  "https://github.com/kepano/defuddle/issues/56",
  "https://github.com/microsoft/playwright/pulls",
];
const listPages = [
  "https://github.com/ammarasad2005?tab=stars",
  "https://github.com/ammarasad2005?tab=repositories",
  "https://github.com/search?q=python+OR+docker&type=repositories&p=2",
  "https://github.com/search?q=openstack+nova+css&type=repositories",
  "https://github.com/trending/rust?since=weekly",
  "https://github.com/trending/go?since=daily",
  "https://github.com/trending",
  "https://github.com/topics/rust",
];
const neither = [
  "https://github.com/",
  "https://github.com/ammarasad2005",
  "https://github.com/search?q=docker&type=code",
  "https://github.com/settings/profile",
  "https://github.com/notifications",
  "https://github.com/marketplace",
];

describe("page detection", () => {
  it.each(repositoryPages)("%s is a repository page", (url) => expect(isRepositoryPage(new URL(url))).toBe(true));
  it.each(listPages)("%s lists repositories", (url) => expect(isRepositoryList(new URL(url))).toBe(true));
  it.each(listPages.filter((url) => !url.includes("/topics/")))("%s is not a repository page", (url) =>
    expect(isRepositoryPage(new URL(url))).toBe(false),
  );
  it.each(neither)("%s is neither", (url) => {
    expect(isRepositoryList(new URL(url))).toBe(false);
    expect(isRepositoryPage(new URL(url))).toBe(false);
  });
});

describe("which repository", () => {
  it("prefers the page's own meta tag to the URL", () => {
    const doc = document.implementation.createHTMLDocument();
    doc.head.append(
      Object.assign(doc.createElement("meta"), {
        name: "octolytics-dimension-repository_nwo",
        content: "Microsoft/Playwright",
      }),
    );
    expect(repositoryOf(new URL("https://github.com/microsoft/playwright/issues"), doc)).toBe("Microsoft/Playwright");
    expect(
      repositoryOf(
        new URL("https://github.com/kepano/defuddle/issues/56"),
        document.implementation.createHTMLDocument(),
      ),
    ).toBe("kepano/defuddle");
  });

  it.each([
    ["/microsoft/playwright", "microsoft/playwright"],
    ["https://github.com/docker-library/docker", "docker-library/docker"],
    ["/microsoft/playwright/stargazers", null],
    ["/topics/rust", null],
    ["/trending/rust", null],
    ["/ammarasad2005", null],
    ["https://gitlab.com/a/b", null],
    ["javascript:alert(1)", null],
  ])("link %s → %s", (href, expected) => {
    const link = document.createElement("a");
    link.setAttribute("href", href);
    expect(repositoryOfLink(link)).toBe(expected);
  });

  it("uses the same name rules as the shared contract", () => {
    expect(OWNER_RULE.source).toBe(GITHUB_OWNER.source);
    expect(REPO_NAME_RULE.source).toBe(GITHUB_REPO_NAME.source);
    expect(isFullName("a/b")).toBe(true);
    expect(isFullName("a/b/c")).toBe(false);
    expect(isFullName("-a/b")).toBe(false);
  });
});
