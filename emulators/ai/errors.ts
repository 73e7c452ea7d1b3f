// OpenAI's error bodies, worded as the real API words them, so clients' error handling
// (and the AI SDK's retry decisions) see what they would see in production.
export interface ApiAnswer {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as is (with the given content-type); anything else as JSON. */
  body?: unknown;
}

export function openaiError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
  headers?: Record<string, string>,
): ApiAnswer {
  return { status, body: { error: { message, type, param, code } }, ...(headers ? { headers } : {}) };
}

export const errors = {
  missingKey: () =>
    openaiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header " +
        "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) " +
        "if you're accessing the API from your browser and are prompted for a username and password. " +
        "You can obtain an API key from https://platform.openai.com/account/api-keys.",
      "invalid_request_error",
    ),
  wrongKey: (key: string) =>
    openaiError(
      401,
      "Incorrect API key provided: " +
        (key.length > 8
          ? `${key.slice(0, 3)}${"*".repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`
          : "*".repeat(key.length)) +
        ". You can find your API key at https://platform.openai.com/account/api-keys.",
      "invalid_request_error",
      "invalid_api_key",
    ),
  modelNotFound: (model: string) =>
    openaiError(
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      "invalid_request_error",
      "model_not_found",
    ),
  invalidUrl: (method: string, path: string) =>
    openaiError(404, `Invalid URL (${method} ${path})`, "invalid_request_error"),
  badRequest: (message: string, param: string | null = null) =>
    openaiError(400, message, "invalid_request_error", null, param),
  rateLimited: (
    model: string,
    kind: "requests" | "tokens",
    limit: number,
    used: number,
    requested: number,
    retryAfterMs: number,
    headers: Record<string, string>,
  ) =>
    openaiError(
      429,
      `Rate limit reached for ${model} in organization org-emulator on ` +
        `${kind === "requests" ? "requests per min (RPM)" : "tokens per min (TPM)"}: ` +
        `Limit ${limit}, Used ${used}, Requested ${requested}. ` +
        `Please try again in ${(retryAfterMs / 1000).toFixed(3).replace(/\.?0+$/, "")}s. ` +
        "Visit https://platform.openai.com/account/rate-limits to learn more.",
      kind,
      "rate_limit_exceeded",
      null,
      headers,
    ),
  fault: (status: number) => {
    if (status === 429)
      return openaiError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
        "insufficient_quota",
      );
    if (status === 503)
      return openaiError(503, "The engine is currently overloaded, please try again later.", "server_error");
    if (status >= 500)
      return openaiError(
        status,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
      );
    if (status === 401) return errors.missingKey();
    return openaiError(status, `Emulated fault (HTTP ${status})`, "invalid_request_error");
  },
};
