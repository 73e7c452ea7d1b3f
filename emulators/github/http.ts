// Small HTTP helpers shared by the REST, GraphQL and control handlers.
import type { IncomingMessage } from "node:http";

/** What a handler answers; the server adds the common headers and writes it. */
export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else is sent as JSON. undefined/null: no body. */
  body?: unknown;
  /** Points to charge to the request's budget; by default 1 for REST (0 for a 304). */
  cost?: number;
  /** Modelled server time already decided by the handler (GraphQL: after execution; includes cut-offs). */
  serverMs?: number;
  /** Repositories in a REST list answer (drives the modelled REST server time). */
  items?: number;
  /** GraphQL points this answer cost, penalties included (for the per-minute points limit). */
  pointsCharged?: number;
  /**
   * Points toward the per-minute secondary limit when they differ from `pointsCharged`: GitHub counts a GraphQL
   * request with mutations as 5 (docs: "Rate limits for the REST API", calculating points for the secondary limit).
   */
  secondaryPoints?: number;
}

export const DOCS = {
  rest: "https://docs.github.com/rest",
  readme: "https://docs.github.com/rest/repos/contents#get-a-repository-readme",
  rateLimits: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
  secondary: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  authUser: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
  starred: "https://docs.github.com/rest/activity/starring#list-repositories-starred-by-the-authenticated-user",
  checkStarred:
    "https://docs.github.com/rest/activity/starring#check-if-a-repository-is-starred-by-the-authenticated-user",
  getRepo: "https://docs.github.com/rest/repos/repos#get-a-repository",
  star: "https://docs.github.com/rest/activity/starring#star-a-repository-for-the-authenticated-user",
  unstar: "https://docs.github.com/rest/activity/starring#unstar-a-repository-for-the-authenticated-user",
  redirects: "https://docs.github.com/v3/#http-redirects",
  graphqlAuth: "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
} as const;

export function json(status: number, body: unknown, headers?: Record<string, string>): EmuResponse {
  return headers ? { status, body, headers } : { status, body };
}

export function notFound(documentationUrl: string = DOCS.rest): EmuResponse {
  return json(404, { message: "Not Found", documentation_url: documentationUrl, status: "404" });
}

export function badCredentials(): EmuResponse {
  return json(401, { message: "Bad credentials", documentation_url: DOCS.rest, status: "401" });
}

export function requiresAuthentication(documentationUrl: string = DOCS.rest): EmuResponse {
  return json(401, { message: "Requires authentication", documentation_url: documentationUrl, status: "401" });
}

export function secondaryRateLimit(retryAfter: number): EmuResponse {
  return json(
    403,
    {
      message:
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
        "If you reach out to GitHub Support for help, please include the request ID.",
      documentation_url: DOCS.secondary,
    },
    { "retry-after": String(retryAfter) },
  );
}

/** GitHub accepts `token X` and `Bearer X` (scheme case-insensitive). */
export function parseAuthorization(header: string | undefined): { present: boolean; token?: string } {
  if (header === undefined || header.trim() === "") return { present: false };
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header.trim());
  return match ? { present: true, token: match[1] as string } : { present: true };
}

export function readBody(req: IncomingMessage, limitBytes = 64 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** If-None-Match matching: a list of (weak or strong) tags, or "*". Weak comparison, as GitHub does. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = strip(etag);
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || strip(tag) === wanted);
}

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * GitHub's scope headers for a classic token: `X-OAuth-Scopes` lists the token's scopes (empty
 * for a token with none), `X-Accepted-OAuth-Scopes` what the endpoint accepts. None without a token.
 */
export function oauthScopeHeaders(
  user: { scopes: string; tokenModel: { kind: string } } | undefined,
  accepted = "",
): Record<string, string> {
  // Fine-grained tokens have no scopes: GitHub sends neither header for them.
  if (!user || user.tokenModel.kind !== "classic") return {};
  return { "x-oauth-scopes": user.scopes, "x-accepted-oauth-scopes": accepted };
}
