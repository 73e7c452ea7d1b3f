import { z } from "zod";

/**
 * Every error the API returns is `{ error: { code, message } }`; clients switch on `code`.
 * The HTTP status for each code lives with the Worker (worker/lib/errors.ts).
 */
export const errorCodes = [
  "bad_request",
  "unauthorized",
  "not_found",
  "payload_too_large",
  "conflict",
  "github_token_invalid",
  "github_rate_limited",
  "github_unavailable",
  "not_configured",
  "internal_error",
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
