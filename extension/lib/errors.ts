import { MessageError } from "./message-error";
import { t, type MessageKey } from "./i18n";

// What a failure means to the user, and the action that fixes it (issue: "each error
// with the action that fixes it"). Switches on machine codes, never on messages.

export type FixAction = "options" | "retry" | "none";

export interface Explained {
  code: string;
  text: string;
  action: FixAction;
}

/**
 * `detail`: the message's text has a `$1` for the failure's own message (what broke, for a bug report; what GitHub
 * said).
 */
const KNOWN: Record<string, { key: MessageKey; action: FixAction; detail?: true }> = {
  github_token_invalid: { key: "errorTokenInvalid", action: "options" },
  unauthorized: { key: "errorSessionExpired", action: "options" },
  not_connected: { key: "errorNotConnected", action: "options" },
  worker_unreachable: { key: "errorWorkerUnreachable", action: "retry" },
  github_rate_limited: { key: "errorRateLimited", action: "retry" },
  github_unavailable: { key: "errorGithubUnavailable", action: "retry" },
  github_repository_blocked: { key: "errorRepositoryBlocked", action: "none" },
  github_sso_required: { key: "errorSsoRequired", action: "none" },
  github_scope_missing: { key: "errorListsScopeMissing", action: "options" },
  // GitHub's own words are in the message (worker/lists/push.ts): the limit is GitHub's, never a constant here.
  github_list_limit: { key: "errorListLimit", action: "none", detail: true },
  github_list_refused: { key: "errorListRefused", action: "none", detail: true },
  sync_interrupted: { key: "errorSyncInterrupted", action: "retry" },
  github_star_scope_missing: { key: "errorStarScopeMissing", action: "options" },
  run_in_progress: { key: "errorRunInProgress", action: "none" },
  not_configured: { key: "errorNotConfigured", action: "none" },
  bad_response: { key: "errorBadResponse", action: "retry" },
  bad_message: { key: "errorBadMessage", action: "retry", detail: true },
  internal: { key: "errorInternal", action: "retry", detail: true },
  // Every other code of the contract (shared/errors.ts); errors.test.ts checks that none is missing.
  bad_request: { key: "errorBadRequest", action: "none" },
  not_found: { key: "errorNotFound", action: "none" },
  payload_too_large: { key: "errorPayloadTooLarge", action: "none" },
  unsupported_media_type: { key: "errorUnsupportedMediaType", action: "none" },
  conflict: { key: "errorConflict", action: "retry" },
  rate_limited: { key: "errorTooManyAttempts", action: "retry" },
  internal_error: { key: "errorServerFailed", action: "retry" },
  sync_failed: { key: "errorSyncFailed", action: "retry" },
  // Why enrichment waits (a run's `stats.enrichment.stops`, the options' Test button).
  ai_key_rejected: { key: "errorAiKeyRejected", action: "options" },
  ai_model_not_found: { key: "errorAiModelNotFound", action: "options" },
  ai_unreachable: { key: "errorAiUnreachable", action: "options" },
  ai_rate_limited: { key: "errorAiRateLimited", action: "none" },
  ai_url_refused: { key: "errorAiUrlRefused", action: "options" },
  ai_failing: { key: "errorAiFailing", action: "options" },
  opendigger_unavailable: { key: "errorOpendiggerUnavailable", action: "none" },
  enrichment_failed: { key: "errorEnrichmentFailed", action: "retry" },
};

export function explain(code: string, message: string): Explained {
  const known = KNOWN[code];
  // An unknown code: the Worker's own message is the best we have (shown as text).
  if (!known || (known.detail && !message)) return { code, text: message || t("errorUnknown"), action: "retry" };
  return { code, text: known.detail ? t(known.key, message) : t(known.key), action: known.action };
}

export function explainError(error: unknown): Explained {
  if (error instanceof MessageError) return explain(error.code, error.message);
  return explain("internal", error instanceof Error ? error.message : String(error));
}
