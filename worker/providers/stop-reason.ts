import { APICallError, RetryError } from "ai";
import type { ErrorCode } from "../../shared/errors";
import { ApiError } from "../lib/errors";

// Why a provider call could not be used, as a code the clients explain (shared/errors.ts) and the
// provider's own words (docs/architecture.md §4, "Why work waits"). One reading for the analyse and
// embed phases and for `POST /api/settings/test`, so what the Test button says is what a sync records.

export type StopReason = {
  code: ErrorCode;
  /** The provider's own message when it sent one (OpenAI's `error.message`), else ours. Untrusted text. */
  message: string;
  httpStatus: number | null;
};

const ProviderBody = (body: string | undefined): string | null => {
  if (!body) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return null;
    const error = (parsed as { error?: unknown }).error;
    if (typeof error === "string") return error;
    if (typeof error === "object" && error !== null) {
      const message = (error as { message?: unknown }).message;
      if (typeof message === "string") return message;
    }
  } catch {
    // Not JSON (an HTML error page): the status says enough.
  }
  return null;
};

/** Cut to what a line of UI and a D1 row should hold. */
const short = (text: string) => (text.length > 500 ? `${text.slice(0, 499)}…` : text);

export function stopReason(error: unknown): StopReason {
  const cause = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode ?? null;
    const message = short(ProviderBody(cause.responseBody) ?? cause.message);
    // OpenAI answers a wrong or missing key 401, a key without access to the project 403.
    if (status === 401 || status === 403) return { code: "ai_key_rejected", message, httpStatus: status };
    if (status === 404) return { code: "ai_model_not_found", message, httpStatus: status };
    if (status === 429) return { code: "ai_rate_limited", message, httpStatus: status };
    return { code: "ai_unreachable", message, httpStatus: status };
  }
  // The SSRF guard (worker/lib/public-url.ts) refuses with its own explanation.
  if (cause instanceof ApiError && cause.code === "bad_request")
    return { code: "ai_url_refused", message: short(cause.message), httpStatus: null };
  if (cause instanceof ApiError && cause.code === "not_configured")
    return { code: "not_configured", message: short(cause.message), httpStatus: null };
  // A redirect (ProviderUnavailable), a timeout, a refused connection, a DNS failure.
  const message = cause instanceof Error ? cause.message : String(cause);
  return { code: "ai_unreachable", message: short(message), httpStatus: null };
}
