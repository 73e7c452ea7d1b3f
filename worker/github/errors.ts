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
  /** 502/504 or RESOURCE_LIMITS_EXCEEDED on a big GraphQL query: ask for less and retry. */
  | "too_large"
  /** 5xx, timeouts, network failures, malformed answers: retry with backoff. */
  | "unavailable";

export class GithubError extends Error {
  readonly kind: GithubErrorKind;
  readonly status: number | null;
  /** For `rate_limited`: when the budget refills. */
  readonly resetAt: Date | null;
  /** For `secondary_limited`. */
  readonly retryAfterSeconds: number | null;

  constructor(
    kind: GithubErrorKind,
    message: string,
    details: { status?: number | null; resetAt?: Date | null; retryAfterSeconds?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.name = "GithubError";
    this.kind = kind;
    this.status = details.status ?? null;
    this.resetAt = details.resetAt ?? null;
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
  }

  /** How an HTTP route reports this failure to its client. */
  toApiError(): ApiError {
    switch (this.kind) {
      case "token_invalid":
        return new ApiError("github_token_invalid", "GitHub rejected the token: it is wrong, expired or revoked");
      case "rate_limited":
      case "secondary_limited":
        return new ApiError("github_rate_limited", `GitHub rate limit reached: ${this.message}`);
      case "not_found":
        return new ApiError("not_found", this.message);
      case "too_large":
      case "unavailable":
        return new ApiError("github_unavailable", `GitHub did not answer correctly: ${this.message}`);
    }
  }
}

/** Classifies a non-2xx GitHub response (docs: reference/github-api.md, "Rate limits"). */
export async function githubErrorFromResponse(response: Response): Promise<GithubError> {
  const text = await response.text().catch(() => "");
  let message = text.slice(0, 300);
  try {
    const body: unknown = JSON.parse(text);
    if (body && typeof body === "object" && "message" in body && typeof body.message === "string") message = body.message;
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the start of the text.
  }
  const status = response.status;
  const details = { status };
  if (status === 401) return new GithubError("token_invalid", message || "Bad credentials", details);
  if (status === 403 || status === 429) {
    const retryAfter = Number(response.headers.get("retry-after"));
    if (/secondary rate limit/i.test(message) || (Number.isFinite(retryAfter) && retryAfter > 0)) {
      return new GithubError("secondary_limited", message, {
        ...details,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 60,
      });
    }
    if (response.headers.get("x-ratelimit-remaining") === "0") {
      const reset = Number(response.headers.get("x-ratelimit-reset"));
      return new GithubError("rate_limited", message, {
        ...details,
        resetAt: Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : new Date(Date.now() + 60_000),
      });
    }
    // A plain 403 (missing permission, e.g. a fine-grained token without "Starring: read").
    return new GithubError("token_invalid", message || "Forbidden", details);
  }
  if (status === 404) return new GithubError("not_found", message || "Not Found", details);
  return new GithubError("unavailable", `HTTP ${status}: ${message}`, details);
}
