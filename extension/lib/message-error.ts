// No zod here: the content script imports this, and its bundle must stay small.

/**
 * Machine-readable failure codes of the protocol: the extension's own (each with an English and a
 * Chinese text in lib/errors.ts, which lib/errors.test.ts checks) and the Worker's
 * (`{error:{code}}` of the HTTP API, shared/errors.ts), passed through unchanged, so the set
 * is open; callers switch on `code`, never on `message`.
 */
export type MessageErrorCode = string;

export class MessageError extends Error {
  override readonly name = "MessageError";
  constructor(
    readonly code: MessageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
