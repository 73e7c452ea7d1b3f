import {
  isGlobalSearchResults,
  isRepo,
  isTrending,
  isUserProfileRepoTab,
  isUserProfileStarsTab,
  utils,
} from "github-url-detection";
import { repoNwoMeta } from "./selectors";

// Page detection: pure functions of a URL (and, where GitHub only says it in the
// markup, of a document). Tested with tables of real GitHub URLs.

export type PageTest = (url: URL) => boolean;

export const isRepositoryPage: PageTest = (url) => isRepo(url);

/** `/topics/<name>`: github-url-detection has no test for it. */
export const isTopicPage: PageTest = (url) => /^\/topics\/[^/]+\/?$/.test(url.pathname);

/** Pages that list repositories: your stars, a user's repositories, search, trending, topics. */
export const isRepositoryList: PageTest = (url) =>
  isUserProfileStarsTab(url) ||
  isUserProfileRepoTab(url) ||
  (isGlobalSearchResults(url) && (url.searchParams.get("type") ?? "").toLowerCase() === "repositories") ||
  isTrending(url) ||
  isTopicPage(url);

/**
 * GitHub's name rules, the same as GITHUB_OWNER / GITHUB_REPO_NAME in shared/repositories.ts
 * (page.test.ts checks they stay equal). Not imported: that module builds zod schemas at
 * load time, which would put zod into the content script.
 */
export const OWNER_RULE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
export const REPO_NAME_RULE = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;

export function isFullName(value: string): boolean {
  const [owner, name, ...rest] = value.split("/");
  return rest.length === 0 && OWNER_RULE.test(owner ?? "") && REPO_NAME_RULE.test(name ?? "");
}

/** The repository a page is about: the page's own meta tag, else the URL. */
export function repositoryOf(url: URL, doc: Document): string | null {
  const meta = doc.querySelector<HTMLMetaElement>(repoNwoMeta)?.content.trim();
  if (meta && isFullName(meta)) return meta;
  const fromUrl = utils.getRepositoryInfo(url)?.nameWithOwner;
  return fromUrl && isFullName(fromUrl) ? fromUrl : null;
}

/** `owner/name` of a link to a repository's main page (`/owner/name`), else null. */
export function repositoryOfLink(link: HTMLAnchorElement): string | null {
  let url: URL;
  try {
    url = new URL(link.getAttribute("href") ?? "", "https://github.com/");
  } catch {
    return null;
  }
  if (url.hostname !== "github.com") return null;
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts.length !== 2) return null;
  const fullName = `${parts[0]}/${parts[1]}`;
  return isFullName(fullName) && !RESERVED_OWNERS.has(parts[0]!.toLowerCase()) ? fullName : null;
}

/** First path segments that are GitHub pages, not users (a subset of github-url-detection's list). */
const RESERVED_OWNERS = new Set([
  "topics",
  "trending",
  "search",
  "settings",
  "orgs",
  "marketplace",
  "sponsors",
  "collections",
  "features",
  "login",
  "apps",
  "notifications",
  "explore",
  "stars",
]);
