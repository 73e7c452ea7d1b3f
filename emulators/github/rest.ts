// REST endpoints: the authenticated user, starred repositories, repositories and READMEs.
import { createHash } from "node:crypto";
import { DOCS, etagMatches, isoSeconds, json, notFound, oauthScopeHeaders, requiresAuthentication, type EmuResponse } from "./http.ts";
import { remaining } from "./ratelimit.ts";
import type { Repo } from "./repos.ts";
import { contentFileJson, minimalRepositoryJson, privateUserJson, publicUserJson, repositoryJson } from "./rest-shapes.ts";
import type { RequestContext, Route } from "./routes.ts";
import type { Star, User } from "./users.ts";

const JSON_MEDIA = "github.v3; format=json";
const VARY = "Accept, Authorization, Cookie, X-GitHub-OTP";

/** Weak ETag over the body and the token: GitHub's ETags differ per token (`Vary: Authorization`). */
function weakEtag(ctx: RequestContext, body: string): string {
  const digest = createHash("sha256").update(ctx.token ?? ctx.identity).update("\n").update(body).digest("hex");
  return `W/"${digest}"`;
}

/**
 * What a 304 costs: nothing with a valid Authorization header, one request of the IP's budget
 * without one (GitHub: a 304 does not count "if the request was made while correctly authorized").
 */
function notModifiedCost(ctx: RequestContext): number {
  return ctx.user ? 0 : 1;
}

/** A cacheable JSON answer: 304 (free when authenticated) when If-None-Match matches, else 200 with the ETag. */
function cacheable(ctx: RequestContext, value: unknown, headers: Record<string, string> = {}): EmuResponse {
  const body = JSON.stringify(value);
  const etag = weakEtag(ctx, body);
  const common = { etag, vary: VARY, "cache-control": "private, max-age=60, s-maxage=60", ...headers };
  if (etagMatches(headerValue(ctx, "if-none-match"), etag)) return { status: 304, headers: common, cost: notModifiedCost(ctx) };
  return { status: 200, headers: common, body };
}

function headerValue(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function accepts(ctx: RequestContext, ...mediaTypes: string[]): boolean {
  const accept = (headerValue(ctx, "accept") ?? "").toLowerCase();
  return mediaTypes.some((type) => accept.includes(type));
}

function positiveInt(value: string | null, fallback: number): number {
  const n = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * GitHub's Link header: page 1 → next, last; middle → prev, next, last, first; last → prev, first;
 * none when one page holds everything. Links repeat the request's own query (so per_page carries
 * over) with `page` replaced, on the emulator's base URL.
 */
export function linkHeader(baseUrl: string, url: URL, page: number, lastPage: number): string | undefined {
  if (lastPage <= 1 && page <= 1) return undefined;
  const link = (n: number, rel: string) => {
    const params = new URLSearchParams(url.searchParams);
    params.set("page", String(n));
    return `<${baseUrl}${url.pathname}?${params.toString()}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(link(page - 1, "prev"));
  if (page < lastPage) parts.push(link(page + 1, "next"), link(lastPage, "last"));
  if (page > 1) parts.push(link(1, "first"));
  return parts.join(", ");
}

function listStarred(ctx: RequestContext, owner: User): EmuResponse {
  const { users, universe } = ctx.state;
  const query = ctx.url.searchParams;
  const perPage = Math.min(100, positiveInt(query.get("per_page"), 30));
  const page = positiveInt(query.get("page"), 1);
  // sort=created is the star time; sort=updated is "when the repository was last pushed to".
  const stars: Star[] = query.get("sort") === "updated" ? users.byPushed(owner, ctx.user) : users.visibleStars(owner, ctx.user);
  const ascending = query.get("direction") === "asc";
  const total = stars.length;
  const lastPage = Math.max(1, Math.ceil(total / perPage));

  const from = (page - 1) * perPage;
  const pageStars: Star[] = [];
  for (let i = from; i < Math.min(total, from + perPage); i++) {
    pageStars.push(stars[ascending ? total - 1 - i : i] as Star);
  }
  const starFormat = accepts(ctx, "application/vnd.github.star+json", "application/vnd.github.v3.star+json");
  const items = pageStars.map((star) => {
    const repo = repositoryJson(universe.repo(star.uid), ctx.baseUrl, { permissions: ctx.user !== undefined });
    return starFormat ? { starred_at: isoSeconds(star.starredAt), repo } : repo;
  });
  const headers: Record<string, string> = { "x-github-media-type": starFormat ? "github.v3; param=star; format=json" : JSON_MEDIA };
  const link = linkHeader(ctx.baseUrl, ctx.url, page, lastPage);
  if (link) headers.link = link;
  return { ...cacheable(ctx, items, headers), items: items.length };
}

const REPO_SORTS = new Set(["created", "updated", "pushed", "full_name"]);

/**
 * `GET /users/{username}/repos`: the user's public repositories (`minimal-repository`), `type`
 * owner|all (owned; the default) or member (none: the emulator has no collaborators), `sort`
 * full_name (default, ascending) | created | updated | pushed (descending by default).
 */
function listUserRepos(ctx: RequestContext, owner: User): EmuResponse {
  const query = ctx.url.searchParams;
  const perPage = Math.min(100, positiveInt(query.get("per_page"), 30));
  const page = positiveInt(query.get("page"), 1);
  const type = query.get("type") ?? "owner";
  const sortParam = query.get("sort") ?? "full_name";
  const sort = REPO_SORTS.has(sortParam) ? sortParam : "full_name";
  const direction = query.get("direction") ?? (sort === "full_name" ? "asc" : "desc");
  // Private repositories are not listed here, even for their owner (GitHub: "Lists public repositories").
  const repos = type === "member" ? [] : ctx.state.universe.ownedBy(owner.login).filter((repo) => !repo.private);
  const key = (repo: Repo): number | string =>
    sort === "created" ? repo.createdAt : sort === "updated" ? repo.updatedAt : sort === "pushed" ? repo.pushedAt : repo.fullName.toLowerCase();
  repos.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const cmp = ka < kb ? -1 : ka > kb ? 1 : a.uid - b.uid;
    return direction === "asc" ? cmp : -cmp;
  });
  const lastPage = Math.max(1, Math.ceil(repos.length / perPage));
  const items = repos
    .slice((page - 1) * perPage, page * perPage)
    .map((repo) => minimalRepositoryJson(repo, ctx.baseUrl, { permissions: ctx.user !== undefined }));
  const headers: Record<string, string> = { "x-github-media-type": JSON_MEDIA };
  const link = linkHeader(ctx.baseUrl, ctx.url, page, lastPage);
  if (link) headers.link = link;
  return { ...cacheable(ctx, items, headers), items: items.length };
}

/** A repository as `ctx.user` may see it: private ones of others do not exist (404). */
function visibleRepo(ctx: RequestContext): Repo | undefined {
  const repo = ctx.state.universe.find(`${ctx.params.owner}/${ctx.params.repo}`);
  return repo && ctx.state.users.canSee(ctx.user, repo) ? repo : undefined;
}

function getReadme(ctx: RequestContext): EmuResponse {
  const repo = visibleRepo(ctx);
  const readme = repo ? ctx.state.universe.readme(repo) : null;
  if (!repo || !readme) return notFound(DOCS.readme);

  if (accepts(ctx, "application/vnd.github.raw", "application/vnd.github.v3.raw")) {
    // The raw variant's ETag is the blob sha itself, so it is the same for every token.
    const etag = `"${readme.sha}"`;
    const headers = {
      etag,
      vary: VARY,
      "cache-control": "private, max-age=60, s-maxage=60",
      "content-type": "application/vnd.github.raw; charset=utf-8",
      "x-github-media-type": "github.raw; format=json",
    };
    if (etagMatches(headerValue(ctx, "if-none-match"), etag)) return { status: 304, headers, cost: notModifiedCost(ctx) };
    if (ctx.user) ctx.state.stats.readme(ctx.user.login);
    // The bytes as stored: a BOM stays, a binary README is served as is, a symlink is followed.
    return { status: 200, headers, body: readme.bytes };
  }
  const response = cacheable(ctx, contentFileJson(repo, readme, ctx.baseUrl), { "x-github-media-type": JSON_MEDIA });
  if (response.status === 200 && ctx.user) ctx.state.stats.readme(ctx.user.login);
  return response;
}

function rateLimitJson(ctx: RequestContext): EmuResponse {
  const now = ctx.state.now();
  const resource = (name: "core" | "graphql") => {
    const bucket = ctx.state.bucketFor(ctx.identity, ctx.user, name);
    return { limit: bucket.limit, used: bucket.used, remaining: remaining(bucket), reset: Math.ceil(bucket.resetAt / 1000), resource: name };
  };
  const core = resource("core");
  const graphql = resource("graphql");
  const search = { limit: 30, used: 0, remaining: 30, reset: Math.ceil(now / 1000) + 60, resource: "search" };
  return json(200, { resources: { core, graphql, search }, rate: core });
}

const routes: Route[] = [
  {
    method: "GET",
    template: "/user",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.authUser),
    handle: (ctx) => cacheable(ctx, privateUserJson(ctx.user as User, ctx.baseUrl), { "x-github-media-type": JSON_MEDIA }),
  },
  {
    method: "GET",
    template: "/user/starred",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.starred),
    handle: (ctx) => listStarred(ctx, ctx.user as User),
  },
  {
    method: "GET",
    template: "/users/{username}",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user ? cacheable(ctx, publicUserJson(user, ctx.baseUrl)) : notFound("https://docs.github.com/rest/users/users#get-a-user");
    },
  },
  {
    method: "GET",
    template: "/users/{username}/starred",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user ? listStarred(ctx, user) : notFound("https://docs.github.com/rest/activity/starring#list-repositories-starred-by-a-user");
    },
  },
  {
    method: "GET",
    template: "/users/{username}/repos",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user ? listUserRepos(ctx, user) : notFound("https://docs.github.com/rest/repos/repos#list-repositories-for-a-user");
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const repo = visibleRepo(ctx);
      if (!repo) return notFound("https://docs.github.com/rest/repos/repos#get-a-repository");
      return cacheable(ctx, repositoryJson(repo, ctx.baseUrl, { permissions: ctx.user !== undefined }));
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/readme",
    resource: "core",
    auth: "optional",
    handle: getReadme,
  },
  {
    method: "GET",
    template: "/rate_limit",
    resource: null,
    auth: "optional",
    handle: rateLimitJson,
  },
];

/** `X-Accepted-OAuth-Scopes`: what the endpoint would accept ("repo" on /repos/…, none elsewhere). */
function acceptedScopes(template: string): string {
  return template.startsWith("/repos/") ? "repo" : "";
}

/** Every REST answer to a token carries GitHub's scope headers (see oauthScopeHeaders). */
export const restRoutes: Route[] = routes.map((route) => ({
  ...route,
  handle: async (ctx) => {
    const response = await route.handle(ctx);
    const scopes = oauthScopeHeaders(ctx.user, acceptedScopes(route.template));
    return Object.keys(scopes).length > 0 ? { ...response, headers: { ...scopes, ...response.headers } } : response;
  },
}));
