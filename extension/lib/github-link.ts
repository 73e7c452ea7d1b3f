import { isFullName } from "@/github/page";

// Links to GitHub repositories on other sites (Hacker News, Reddit, a blog): which repository an
// `href` is about. Any page of a repository counts (`/owner/name`, its code, its issues), on
// github.com or www.github.com; GitHub's own pages (`/features/…`, `/topics/…`) are no owner.

/** First path segments that are GitHub's pages, never a user or an organisation. */
const NOT_OWNERS = new Set([
  "about",
  "account",
  "apps",
  "codespaces",
  "collections",
  "contact",
  "copilot",
  "customer-stories",
  "dashboard",
  "discussions",
  "enterprise",
  "events",
  "explore",
  "features",
  "issues",
  "join",
  "login",
  "logout",
  "marketplace",
  "new",
  "notifications",
  "organizations",
  "orgs",
  "pricing",
  "pulls",
  "readme",
  "resources",
  "search",
  "security",
  "sessions",
  "settings",
  "signup",
  "site",
  "solutions",
  "sponsors",
  "stars",
  "team",
  "topics",
  "trending",
  "users",
]);

/** `owner/name` of a link to a repository (any page of it), else null. `base`: the page's URL. */
export function repositoryOfHref(href: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const host = url.hostname.toLowerCase();
  if (host !== "github.com" && host !== "www.github.com") return null;
  const [owner = "", rawName = ""] = url.pathname.split("/").filter(Boolean);
  const name = rawName.replace(/\.git$/i, "");
  const fullName = `${owner}/${name}`;
  return isFullName(fullName) && !NOT_OWNERS.has(owner.toLowerCase()) ? fullName : null;
}
