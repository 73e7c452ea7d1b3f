// No zod here: the content script imports this, and its bundle must stay small.

/**
 * The failure codes the extension itself produces (the Worker's own are in shared/errors.ts),
 * each with an English and a Chinese message (lib/errors.ts).
 */
export const CLIENT_CODES = ["bad_message", "not_connected", "worker_unreachable", "bad_response", "internal"] as const;

/**
 * Machine-readable failure codes of the protocol. Worker error codes
 * (`{error:{code}}` of the HTTP API) are passed through unchanged, so the set
 * is open; callers switch on `code`, never on `message`.
 */
export type MessageErrorCode = (typeof CLIENT_CODES)[number] | (string & {});

export class MessageError extends Error {
  override readonly name = "MessageError";
  constructor(
    readonly code: MessageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
