// No zod here: the content script imports this, and its bundle must stay small.

/**
 * Machine-readable failure codes of the protocol. Worker error codes
 * (`{error:{code}}` of the HTTP API) are passed through unchanged, so the set
 * is open; callers switch on `code`, never on `message`.
 */
export type MessageErrorCode =
  | "bad_message"
  | "not_connected"
  | "not_implemented"
  | "worker_unreachable"
  | "bad_response"
  | "internal"
  | (string & {});

export class MessageError extends Error {
  override readonly name = "MessageError";
  constructor(
    readonly code: MessageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

