import { z } from "zod";

/**
 * Every code a client may see: in the API's `{ error: { code, message } }` and in a sync's
 * `error` event (`ErrorData` in shared/events.ts). Clients switch on `code`, never on the
 * message. The HTTP status for each code lives with the Worker (worker/lib/errors.ts).
 */
export const errorCodes = [
  "bad_request",
  "unauthorized",
  "not_found",
  "payload_too_large",
  /** A JSON route was sent a body whose Content-Type is not JSON. */
  "unsupported_media_type",
  "conflict",
  /** Too many attempts (sign-in): wait for the `Retry-After` seconds. */
  "rate_limited",
  "github_token_invalid",
  "github_rate_limited",
  "github_unavailable",
  /** GitHub blocks this one repository (its terms, a DMCA notice): the account is fine. */
  "github_repository_blocked",
  /** This repository's organisation requires SAML single sign-on the token is not authorised for. */
  "github_sso_required",
  /**
   * The token may not star or unstar (docs/architecture.md §4, "Unstar in bulk"): a classic token without
   * `public_repo`/`repo`, or a fine-grained one without "Starring: write". Starwise stays read-only for stars.
   */
  "github_star_scope_missing",
  /** Another run of this user holds the lock (a sync, an unstar run or its undo): one at a time. */
  "run_in_progress",
  /** Writing GitHub Lists needs the classic token scope `user`, which this token lacks: Lists are read-only. */
  "github_scope_missing",
  /** GitHub refused a new List: the account has as many as GitHub allows (its words in the message). */
  "github_list_limit",
  /** GitHub refused a List write (a taken or too long name, say): its words in the message. */
  "github_list_refused",
  "not_configured",
  "internal_error",
  // Sync runs (the `error` event, `lastResult` of `GET /api/sync/status`):
  /** A step kept failing after all its retries (GitHub or D1 down for long); what was saved stays. */
  "sync_failed",
  /** The run stopped without a word (its Workflow is gone); the next sync continues from what was saved. */
  "sync_interrupted",
  // Why enrichment stopped early (`stats.enrichment.stops` of a run; `POST /api/settings/test`). The run
  // itself ends `done`: the repositories wait for the next sync. docs/architecture.md §4 "Why work waits".
  /** The AI provider refused the API key (HTTP 401/403). */
  "ai_key_rejected",
  /** The AI provider does not know the model (HTTP 404, OpenAI's `model_not_found`). */
  "ai_model_not_found",
  /** The AI provider did not answer, answered 5xx, timed out or redirected. */
  "ai_unreachable",
  /** The AI provider's rate limit outlasted the run's waits; `until` says when it resets. */
  "ai_rate_limited",
  /** The provider's URL is private or local and this deployment refuses those (SSRF guard). */
  "ai_url_refused",
  /** Ten answers in a row were unusable (the breaker opened): the rest waits for the next sync. */
  "ai_failing",
  /** OpenDigger failed ten times in a row (down, or refusing): OpenRank waits for the next sync. */
  "opendigger_unavailable",
  /** An enrichment step kept failing after all its retries (D1, a bug): the rest waits for the next sync. */
  "enrichment_failed",
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
