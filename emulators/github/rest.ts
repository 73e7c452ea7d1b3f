// REST endpoints: the authenticated user, starred repositories, repositories and READMEs.
//
// A list's content is read from the state when its handler runs: after the network latency
// (`latencyMs` and latency faults), before the modelled server time (realism.ts) is slept. So a
// request held up by latency sees what changed while it waited, as GitHub reads its database
// when it serves the request, and a trigger fired by another answer (triggers.ts) is seen by every
// request whose handler runs after it.
import { createHash } from "node:crypto";
import { isListed, restRefusal, ssoOrg, ssoOrgId, ssoPartialHeader } from "./access.ts";
import {
  DOCS,
  etagMatches,
  isoSeconds,
  json,
  notFound,
  oauthScopeHeaders,
  requiresAuthentication,
  type EmuResponse,
} from "./http.ts";
import { remaining } from "./ratelimit.ts";
import { isPrivate, type Repo } from "./repos.ts";
import {
  contentFileJson,
  minimalRepositoryJson,
  privateUserJson,
  publicUserJson,
  repositoryJson,
} from "./rest-shapes.ts";
import type { RequestContext, Route } from "./routes.ts";
import { mayReadStars, maySetStar, type Star, type User } from "./users.ts";

const JSON_MEDIA = "github.v3; format=json";
const VARY = "Accept, Authorization, Cookie, X-GitHub-OTP";

/** Weak ETag over the body and the token: GitHub's ETags differ per token (`Vary: Authorization`). */
function weakEtag(ctx: RequestContext, body: string): string {
  const digest = createHash("sha256")
    .update(ctx.token ?? ctx.identity)
    .update("\n")
    .update(body)
    .digest("hex");
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
  if (etagMatches(headerValue(ctx, "if-none-match"), etag))
    return { status: 304, headers: common, cost: notModifiedCost(ctx) };
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
  // Repositories the viewer may not see in a list (deleted, taken down, behind SAML, …) are left
  // out before paging: totals and Link rel="last" count what is listed, and later items move up.
  const listed = users.starList(owner, ctx.user);
  // sort=created is the star time; sort=updated is "when the repository was last pushed to".
  const stars: Star[] = query.get("sort") === "updated" ? users.byPushed(owner, ctx.user) : listed.stars;
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
  const headers: Record<string, string> = {
    "x-github-media-type": starFormat ? "github.v3; param=star; format=json" : JSON_MEDIA,
    ...ssoPartialHeader(listed.ssoOrgIds),
  };
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
  // Private repositories are not listed here, even for their owner (GitHub: "Lists public repositories"),
  // nor those the viewer may not see in a list (access.ts).
  const ssoOrgs = new Set<number>();
  const listable = (repo: Repo) => {
    const sight = ctx.state.users.sight(ctx.user, repo);
    if (sight === "sso") ssoOrgs.add(ssoOrgId(ssoOrg(repo)));
    return !isPrivate(repo) && isListed(sight);
  };
  const repos = type === "member" ? [] : ctx.state.universe.ownedBy(owner.login).filter(listable);
  const key = (repo: Repo): number | string =>
    sort === "created"
      ? repo.createdAt
      : sort === "updated"
        ? repo.updatedAt
        : sort === "pushed"
          ? repo.pushedAt
          : repo.fullName.toLowerCase();
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
  const headers: Record<string, string> = {
    "x-github-media-type": JSON_MEDIA,
    ...ssoPartialHeader([...ssoOrgs].sort((a, b) => a - b)),
  };
  const link = linkHeader(ctx.baseUrl, ctx.url, page, lastPage);
  if (link) headers.link = link;
  return { ...cacheable(ctx, items, headers), items: items.length };
}

/** The repository a route names, or GitHub's answer when the viewer may not have it. */
type Resolution = { repo: Repo } | { answer: EmuResponse };

/**
 * The repository of `/repos/{owner}/{repo}/…` or `/repositories/{id}/…` as `ctx.user` may use it.
 * Otherwise: 404 when it does not exist for the viewer (unknown, another's private one, deleted),
 * 301 to `/repositories/{id}/…` for a former name, 403/451 when GitHub blocks it, 403 with
 * `X-GitHub-SSO` when an organisation's SAML guards it.
 */
function resolveRepo(ctx: RequestContext, docs: string): Resolution {
  const { universe, users } = ctx.state;
  if (ctx.params.id !== undefined) {
    const repo = /^\d{1,15}$/.test(ctx.params.id) ? universe.byDatabaseId(Number(ctx.params.id)) : undefined;
    return repo ? gate(ctx, repo, docs) : { answer: notFound(docs) };
  }
  const fullName = `${ctx.params.owner}/${ctx.params.repo}`;
  const repo = universe.find(fullName);
  if (repo) return gate(ctx, repo, docs);
  const moved = universe.renamedFrom(fullName);
  // A former name of a repository the viewer cannot see says nothing about it.
  if (moved && users.sight(ctx.user, moved) !== "gone") return { answer: movedPermanently(ctx, moved) };
  return { answer: notFound(docs) };
}

function gate(ctx: RequestContext, repo: Repo, docs: string): Resolution {
  const sight = ctx.state.users.sight(ctx.user, repo);
  if (sight === "gone") return { answer: notFound(docs) };
  const refusal = restRefusal(sight, repo, ctx.user?.login);
  return refusal ? { answer: refusal } : { repo };
}

/**
 * GitHub's answer to a renamed repository's old name: 301 to the same path under
 * `/repositories/{id}` (the query carries over), which fetch and Octokit follow.
 */
function movedPermanently(ctx: RequestContext, repo: Repo): EmuResponse {
  const rest = ctx.url.pathname.split("/").slice(4).filter(Boolean).join("/");
  const url = `${ctx.baseUrl}/repositories/${repo.id}${rest ? `/${rest}` : ""}${ctx.url.search}`;
  return json(301, { message: "Moved Permanently", url, documentation_url: DOCS.redirects }, { location: url });
}

function getRepo(ctx: RequestContext): EmuResponse {
  const resolved = resolveRepo(ctx, DOCS.getRepo);
  if ("answer" in resolved) return resolved.answer;
  return cacheable(ctx, repositoryJson(resolved.repo, ctx.baseUrl, { permissions: ctx.user !== undefined }));
}

/**
 * `GET /user/starred/{owner}/{repo}`: 204 when the user starred it and may see it, else 404. A
 * repository blocked for its terms is still starred (204); a DMCA takedown answers 451 and SAML
 * 403, as every route of that repository does.
 */
function checkStarred(ctx: RequestContext): EmuResponse {
  const user = ctx.user as User;
  const repo = ctx.state.universe.find(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!repo) return notFound(DOCS.checkStarred);
  const sight = ctx.state.users.sight(user, repo);
  if (sight === "dmca" || sight === "sso") return restRefusal(sight, repo, user.login) as EmuResponse;
  if (sight === "gone" || !user.starred.has(repo.uid)) return notFound(DOCS.checkStarred);
  return { status: 204, headers: { "x-github-media-type": JSON_MEDIA } };
}

/**
 * A fine-grained token without the user permission "Starring" it needs: GitHub's 403 names what it would have
 * accepted (`X-Accepted-GitHub-Permissions`, GitHub changelog 2023-08-10).
 */
function notAccessible(docs: string, accepted: string): EmuResponse {
  return json(
    403,
    { message: "Resource not accessible by personal access token", documentation_url: docs, status: "403" },
    { "x-accepted-github-permissions": accepted },
  );
}

/**
 * `PUT` (star) and `DELETE` (unstar) `/user/starred/{owner}/{repo}`: 204, empty, on success, and again when it is
 * already so (both are idempotent here). Refused tokens: a fine-grained one without "Starring" write gets 403; a
 * classic one without `public_repo` (or `repo`, which a private repository needs) gets 404, as GitHub answers a
 * classic token whose scopes do not allow the call (kitalev/GitHub-Legacy#1). A repository the user cannot see is
 * 404; a taken-down one 451 and a SAML-guarded one 403, as its other routes answer. A renamed repository's old name
 * is 404 here (no redirect is modelled on these routes).
 */
function setStar(ctx: RequestContext, starred: boolean): EmuResponse {
  const user = ctx.user as User;
  const docs = starred ? DOCS.star : DOCS.unstar;
  if (user.tokenModel.kind === "fine-grained" && user.tokenModel.starring !== "write")
    return notAccessible(docs, "starring=write; metadata=read");
  const repo = ctx.state.universe.find(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!repo) return notFound(docs);
  const sight = ctx.state.users.sight(user, repo);
  if (sight === "gone") return notFound(docs);
  if (!maySetStar(user, isPrivate(repo))) return notFound(docs);
  if (sight === "dmca" || sight === "sso") return restRefusal(sight, repo, user.login) as EmuResponse;
  if (starred) ctx.state.users.star(user, repo, ctx.state.now());
  else ctx.state.users.unstar(user, repo);
  return { status: 204, headers: { "x-github-media-type": JSON_MEDIA } };
}

/** A fine-grained token needs "Starring" read to list or check the user's stars. */
function readingStars(handle: (ctx: RequestContext) => EmuResponse, docs: string) {
  return (ctx: RequestContext): EmuResponse =>
    ctx.user && !mayReadStars(ctx.user) ? notAccessible(docs, "starring=read") : handle(ctx);
}

function getReadme(ctx: RequestContext): EmuResponse {
  const resolved = resolveRepo(ctx, DOCS.readme);
  if ("answer" in resolved) return resolved.answer;
  const repo = resolved.repo;
  const readme = ctx.state.universe.readme(repo);
  if (!readme) return notFound(DOCS.readme);

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
    if (etagMatches(headerValue(ctx, "if-none-match"), etag))
      return { status: 304, headers, cost: notModifiedCost(ctx) };
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
    return {
      limit: bucket.limit,
      used: bucket.used,
      remaining: remaining(bucket),
      reset: Math.ceil(bucket.resetAt / 1000),
      resource: name,
    };
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
    handle: (ctx) =>
      cacheable(ctx, privateUserJson(ctx.user as User, ctx.baseUrl), { "x-github-media-type": JSON_MEDIA }),
  },
  {
    method: "GET",
    template: "/user/starred",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.starred),
    handle: readingStars((ctx) => listStarred(ctx, ctx.user as User), DOCS.starred),
  },
  {
    // Its own template, so the list above is never shadowed and stats count the two apart.
    method: "GET",
    template: "/user/starred/{owner}/{repo}",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.checkStarred),
    handle: readingStars(checkStarred, DOCS.checkStarred),
  },
  {
    method: "PUT",
    template: "/user/starred/{owner}/{repo}",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.star),
    handle: (ctx) => setStar(ctx, true),
  },
  {
    method: "DELETE",
    template: "/user/starred/{owner}/{repo}",
    resource: "core",
    auth: "required",
    unauthenticated: () => requiresAuthentication(DOCS.unstar),
    handle: (ctx) => setStar(ctx, false),
  },
  {
    method: "GET",
    template: "/users/{username}",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user
        ? cacheable(ctx, publicUserJson(user, ctx.baseUrl))
        : notFound("https://docs.github.com/rest/users/users#get-a-user");
    },
  },
  {
    method: "GET",
    template: "/users/{username}/starred",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user
        ? listStarred(ctx, user)
        : notFound("https://docs.github.com/rest/activity/starring#list-repositories-starred-by-a-user");
    },
  },
  {
    method: "GET",
    template: "/users/{username}/repos",
    resource: "core",
    auth: "optional",
    handle: (ctx) => {
      const user = ctx.state.users.get(ctx.params.username ?? "");
      return user
        ? listUserRepos(ctx, user)
        : notFound("https://docs.github.com/rest/repos/repos#list-repositories-for-a-user");
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}",
    resource: "core",
    auth: "optional",
    handle: getRepo,
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/readme",
    resource: "core",
    auth: "optional",
    handle: getReadme,
  },
  {
    // Where a renamed repository's old name redirects to.
    method: "GET",
    template: "/repositories/{id}",
    resource: "core",
    auth: "optional",
    handle: getRepo,
  },
  {
    method: "GET",
    template: "/repositories/{id}/readme",
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

/**
 * `X-Accepted-OAuth-Scopes`: what the endpoint would accept ("repo" on /repos/… and /repositories/…, none elsewhere).
 */
function acceptedScopes(method: string, template: string): string {
  if (template === "/user/starred/{owner}/{repo}" && method !== "GET") return "public_repo, repo";
  return template.startsWith("/repos/") || template.startsWith("/repositories/") ? "repo" : "";
}

/** Every REST answer to a token carries GitHub's scope headers (see oauthScopeHeaders). */
export const restRoutes: Route[] = routes.map((route) => ({
  ...route,
  handle: async (ctx) => {
    const response = await route.handle(ctx);
    const scopes = oauthScopeHeaders(ctx.user, acceptedScopes(route.method, route.template));
    return Object.keys(scopes).length > 0 ? { ...response, headers: { ...scopes, ...response.headers } } : response;
  },
}));
