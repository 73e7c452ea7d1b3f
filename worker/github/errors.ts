import { ApiError } from "../lib/errors";

export type GithubErrorKind =
  /** 401: the token is wrong, expired or revoked. Not retryable: the user must reconnect. */
  | "token_invalid"
  /** Primary rate limit: wait until `resetAt`. */
  | "rate_limited"
  /** Secondary (abuse) limit: wait `retryAfterSeconds`. */
  | "secondary_limited"
  /** 404, or a private repository this token cannot see. */
  | "not_found"
  /**
   * GitHub refuses one repository, not the token: blocked for its terms or a DMCA notice (403/451
   * "Repository access blocked"), or owned by an organisation with SAML single sign-on that the
   * token is not authorised for (403 with `X-GitHub-SSO: required; url=…`). That repository's
   * state (`access`), never the account's.
   */
  | "repository_denied"
  /** GitHub's 10 s cut-off (502/504, or HTTP 200 with data null) or RESOURCE_LIMITS_EXCEEDED: ask for less. */
  | "too_large"
  /** 5xx, timeouts, network failures, malformed answers: retry with backoff. */
  | "unavailable"
  /**
   * GitHub refused what was asked, in so many words: a GraphQL error of type UNPROCESSABLE (a List past the
   * account's limit, a taken name) or INSUFFICIENT_SCOPES (the token's scopes). `graphqlType` says which; asking
   * again changes nothing.
   */
  | "refused";

export class GithubError extends Error {
  readonly kind: GithubErrorKind;
  readonly status: number | null;
  /** For `rate_limited`: when the budget refills. */
  readonly resetAt: Date | null;
  /** For `secondary_limited`. */
  readonly retryAfterSeconds: number | null;
  /** For `repository_denied`: why, and for SAML the page where the user authorises the token. */
  readonly access: RepositoryAccess | null;
  /** For `refused`: GitHub's error type (UNPROCESSABLE, INSUFFICIENT_SCOPES, FORBIDDEN). */
  readonly graphqlType: string | null;

  constructor(
    kind: GithubErrorKind,
    message: string,
    details: {
      status?: number | null;
      resetAt?: Date | null;
      retryAfterSeconds?: number | null;
      access?: RepositoryAccess | null;
      graphqlType?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "GithubError";
    this.kind = kind;
    this.status = details.status ?? null;
    this.resetAt = details.resetAt ?? null;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
    this.access = details.access ?? null;
    this.graphqlType = details.graphqlType ?? null;
  }

  /**
   * How an HTTP route reports this failure to its client: the code and a message of our own.
   * GitHub's text (`this.message`: its error body, a proxy's page, request ids) never goes to
   * the client; the app's `onError` logs it.
   */
  toApiError(): ApiError {
    switch (this.kind) {
      case "token_invalid":
        return new ApiError(
          "github_token_invalid",
          "GitHub rejected the token: it is wrong, expired, revoked, or lacks a permission",
        );
      case "rate_limited":
      case "secondary_limited": {
        const waitMs = this.resetAt ? this.resetAt.getTime() - Date.now() : (this.retryAfterSeconds ?? 60) * 1000;
        const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
        return new ApiError(
          "github_rate_limited",
          `GitHub's rate limit for this token was reached: try again in ${retryAfterSeconds} s`,
          {
            retryAfterSeconds,
          },
        );
      }
      case "not_found":
        return new ApiError("not_found", "GitHub has no such repository, or this token cannot see it");
      case "repository_denied":
        return this.access?.state === "sso"
          ? new ApiError(
              "github_sso_required",
              `This repository belongs to an organisation that requires single sign-on: authorise your token for it${
                this.access.url ? ` at ${this.access.url}` : " in GitHub's token settings"
              }`,
            )
          : new ApiError("github_repository_blocked", "GitHub blocks access to this repository");
      case "refused":
        return this.graphqlType === "INSUFFICIENT_SCOPES" || this.graphqlType === "FORBIDDEN"
          ? new ApiError("github_scope_missing", "GitHub refused: the token lacks the permission this needs")
          : new ApiError("github_list_refused", `GitHub refused: ${this.message.slice(0, 300)}`);
      case "too_large":
      case "unavailable":
        return new ApiError("github_unavailable", "GitHub did not answer correctly: try again in a while");
    }
  }
}

/**
 * Why GitHub refuses one repository: `blocked` (its terms, a DMCA notice), `sso` (an
 * organisation's SAML single sign-on; `url` is where the token is authorised), `forbidden`
 * (another 403 on that repository alone).
 */
export type RepositoryAccess = { state: "blocked" | "sso" | "forbidden"; message: string; url: string | null };

/**
 * Whose failure a 403 is. On `/user` and `/user/starred` it is the token's (a fine-grained token
 * without "Starring: read", say); on one repository's routes it is that repository's.
 */
export type ErrorScope = "account" | "repository";

/** `GET /repos/{owner}/{repo}/…`, `/repositories/{id}/…` and `/user/starred/{owner}/{repo}` are one repository's. */
export function scopeOfRoute(route: string): ErrorScope {
  return /^\w+ \/(repos|repositories)\/|^\w+ \/user\/starred\/\{?\w/.test(route) ? "repository" : "account";
}

/** A secondary limit (a 403/429 with "secondary rate limit" or retry-after), waited out, not fatal. */
export function isSecondary(error: GithubError): boolean {
  return error.kind === "secondary_limited";
}

type OctokitLikeError = {
  name?: string;
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
};

/** GitHub's 10 s cut-off message, sent with HTTP 200 + `data: null` (and in 502 bodies). */
const TIMEOUT_MESSAGE = /something went wrong while executing your query|this may be the result of a timeout/i;

/** Classifies what Octokit threw for a non-2xx answer (or a network failure). */
export function classifyRequestError(error: unknown, scope: ErrorScope = "account"): GithubError {
  if (error instanceof GithubError) return error;
  const e = (error ?? {}) as OctokitLikeError;
  const status = typeof e.status === "number" ? e.status : null;
  if (status === null || (status === 500 && !e.response)) {
    // No answer at all: a network failure or Octokit's own timeout.
    return new GithubError("unavailable", `GitHub could not be reached: ${e.message ?? String(error)}`, {
      cause: error,
    });
  }
  const headers = e.response?.headers ?? {};
  const data = e.response?.data;
  const message =
    data && typeof data === "object" && "message" in data && typeof (data as { message: unknown }).message === "string"
      ? (data as { message: string }).message
      : (e.message ?? "");
  return classifyStatus(status, message, headers, error, scope);
}

export function classifyStatus(
  status: number,
  message: string,
  headers: Record<string, string | undefined | null>,
  cause?: unknown,
  scope: ErrorScope = "account",
): GithubError {
  const details = { status, cause };
  if (status === 401) return new GithubError("token_invalid", message || "Bad credentials", details);
  // 451 is always one repository's (a DMCA takedown), whatever the route.
  if (status === 451) return repositoryDenied(message, headers, details);
  if (status === 403 || status === 429) {
    const retryAfter = Number(headers["retry-after"]);
    if (/secondary rate limit/i.test(message) || (Number.isFinite(retryAfter) && retryAfter > 0)) {
      return new GithubError("secondary_limited", message, {
        ...details,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60,
      });
    }
    if (headers["x-ratelimit-remaining"] === "0") {
      const reset = Number(headers["x-ratelimit-reset"]);
      return new GithubError("rate_limited", message, {
        ...details,
        resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 60_000),
      });
    }
    if (
      status === 403 &&
      (scope === "repository" || /repository access blocked/i.test(message) || ssoUrl(headers) !== undefined)
    ) {
      return repositoryDenied(message, headers, details);
    }
    // A plain 403 on the account's own routes: a missing permission (a fine-grained token without "Starring: read").
    return new GithubError("token_invalid", message || "Forbidden", details);
  }
  if (status === 404) return new GithubError("not_found", message || "Not Found", details);
  // 502/504 from GraphQL (or REST) is GitHub's cut-off: ask for less, not the same again.
  if (status === 502 || status === 504 || TIMEOUT_MESSAGE.test(message)) {
    return new GithubError("too_large", `GitHub cut the request off (HTTP ${status})`, details);
  }
  return new GithubError("unavailable", `HTTP ${status}: ${message.slice(0, 200)}`, details);
}

/**
 * `X-GitHub-SSO: required; url=<where to authorise>` → the url ("" when none is given); undefined without the header.
 */
function ssoUrl(headers: Record<string, string | undefined | null>): string | undefined {
  const value = headers["x-github-sso"];
  if (!value || !/^\s*required/i.test(value)) return undefined;
  const url = /url=(\S+)/.exec(value)?.[1] ?? "";
  return /^https:\/\//.test(url) ? url : "";
}

function repositoryDenied(
  message: string,
  headers: Record<string, string | undefined | null>,
  details: { status: number; cause?: unknown },
): GithubError {
  const sso = ssoUrl(headers);
  const text = message || (details.status === 451 ? "Unavailable for legal reasons" : "Forbidden");
  const access: RepositoryAccess =
    sso !== undefined || /saml/i.test(message)
      ? { state: "sso", message: text, url: sso || null }
      : {
          state: details.status === 451 || /repository access blocked/i.test(message) ? "blocked" : "forbidden",
          message: text,
          url: null,
        };
  return new GithubError("repository_denied", text, { ...details, access });
}

/** What a GraphQL error entry of type FORBIDDEN says about the repository at its path. */
export function deniedByGraphql(message: string): RepositoryAccess {
  if (/saml/i.test(message)) return { state: "sso", message, url: null };
  return { state: /repository access blocked/i.test(message) ? "blocked" : "forbidden", message, url: null };
}

type GraphqlErrorItem = { type?: string; code?: string; message?: string };

/**
 * Reads an HTTP-200 GraphQL answer: a rate limit (both spellings), GitHub's cut-off (data null
 * and "Something went wrong…"), RESOURCE_LIMITS_EXCEEDED (partial data), per-node NOT_FOUND /
 * FORBIDDEN (partial data the caller reads as nulls), or GitHub failing.
 */
export function classifyGraphqlAnswer(
  data: unknown,
  rawErrors: unknown[],
  headers: Record<string, string | undefined>,
): GithubError | { partial: boolean } {
  const errors = rawErrors.filter((e): e is GraphqlErrorItem => typeof e === "object" && e !== null);
  const rateLimited = errors.find(
    (e) => e.type === "RATE_LIMITED" || e.type === "RATE_LIMIT" || e.code === "graphql_rate_limit",
  );
  if (rateLimited) {
    const reset = Number(headers["x-ratelimit-reset"]);
    return new GithubError("rate_limited", rateLimited.message ?? "GraphQL rate limit exceeded", {
      resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 60_000),
    });
  }
  if (data == null && errors.some((e) => TIMEOUT_MESSAGE.test(e.message ?? ""))) {
    return new GithubError("too_large", "GitHub cut the query off (HTTP 200, data: null)");
  }
  const limited = errors.some((e) => e.type === "RESOURCE_LIMITS_EXCEEDED" || e.type === "MAX_NODE_LIMIT_EXCEEDED");
  if (limited) {
    if (data == null) return new GithubError("too_large", errors[0]?.message ?? "GraphQL resource limits exceeded");
    return { partial: true };
  }
  // GitHub said no in words (a List past the limit, a missing scope): not a failure to retry.
  const refused = errors.find((e) => e.type === "UNPROCESSABLE" || e.type === "INSUFFICIENT_SCOPES");
  if (refused) {
    return new GithubError("refused", refused.message ?? "GitHub refused the request", { graphqlType: refused.type });
  }
  const fatal = errors.filter((e) => e.type !== "NOT_FOUND" && e.type !== "FORBIDDEN");
  if (data == null || fatal.length > 0) {
    const message = (fatal.length ? fatal : errors).map((e) => e.message).join("; ") || "no data";
    return new GithubError("unavailable", `GraphQL error: ${message.slice(0, 300)}`);
  }
  return { partial: false };
}
