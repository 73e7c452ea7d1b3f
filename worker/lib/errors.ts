import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../../shared/errors";

/** One code → status table for the whole API (docs/architecture.md, habit 6). */
const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  conflict: 409,
  rate_limited: 429,
  github_token_invalid: 401,
  github_rate_limited: 503,
  github_unavailable: 502,
  github_repository_blocked: 403,
  github_sso_required: 403,
  github_star_scope_missing: 403,
  run_in_progress: 409,
  github_scope_missing: 403,
  github_list_limit: 422,
  github_list_refused: 422,
  not_configured: 500,
  internal_error: 500,
  // Sync outcomes travel in events and in `GET /api/sync/status` (200); should one ever be
  // an HTTP answer, a run that gave up is the server's failure and an interrupted one
  // is worth retrying.
  sync_failed: 500,
  sync_interrupted: 503,
  // Enrichment stops travel in a run's stats and in `POST /api/settings/test` (200); as HTTP
  // answers they would be an upstream's failure.
  ai_key_rejected: 502,
  ai_model_not_found: 502,
  ai_unreachable: 502,
  ai_rate_limited: 503,
  ai_url_refused: 400,
  ai_failing: 502,
  opendigger_unavailable: 502,
  enrichment_failed: 500,
};

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  /** Sent as `Retry-After` (seconds) by the app's `onError`: when trying again can succeed. */
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options);
    this.name = "ApiError";
    this.code = code;
    this.status = statusByCode[code];
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message } };
  }
}
