import { browser } from "wxt/browser";
import { z } from "zod";

// The one message protocol between the extension's pages/content scripts and
// the background. Every message type is listed in `protocol` with a schema for
// its payload and one for its answer; the TypeScript types are derived from
// those schemas, and both ends validate what crosses (the background its
// input, the sender the answer). Only the background talks to the network, so
// anything that needs the Worker goes through here.

export const statusSchema = z.object({
  /** True once a session with the Worker exists. */
  connected: z.boolean(),
  /** GitHub login of the connected user (untrusted text: render as text). */
  login: z.string().nullable(),
  workerUrl: z.string(),
});
export type Status = z.infer<typeof statusSchema>;

/** `POST /api/repositories/sync` with `Accept: application/json` answers this (DESIGN §4). */
export const syncStartedSchema = z.object({
  runId: z.string(),
  /** True when a run was already going and we joined it. */
  attached: z.boolean(),
});
export type SyncStarted = z.infer<typeof syncStartedSchema>;

const noData = z.undefined();

export const protocol = {
  /** What the popup needs to draw itself: the stored connection, without the secret. */
  getStatus: { data: noData, response: statusSchema },
  /** Start (or attach to) a sync run on the Worker. */
  startSync: { data: noData, response: syncStartedSchema },
} satisfies Record<string, { data: z.ZodType; response: z.ZodType }>;

type Protocol = typeof protocol;
export type MessageType = keyof Protocol;
export type MessageData<K extends MessageType> = z.output<Protocol[K]["data"]>;
export type MessageResponse<K extends MessageType> = z.output<Protocol[K]["response"]>;

/** A handler for every message type; the compiler points out a missing one. */
export type MessageHandlers = {
  [K in MessageType]: (data: MessageData<K>) => Promise<MessageResponse<K>>;
};

/**
 * Machine-readable failure codes of the protocol. Worker error codes
 * (`{error:{code}}` of the HTTP API) are passed through unchanged, so the set
 * is open; callers switch on `code`, never on `message`.
 */
export type MessageErrorCode =
  | "bad_message"
  | "not_connected"
  | "not_implemented"
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

const envelopeSchema = z.object({
  type: z.enum(Object.keys(protocol) as [MessageType, ...MessageType[]]),
  // Optional: structured cloning/JSON drops `data: undefined`, so a message
  // without payload arrives without the key (Chrome), or with it (fakeBrowser).
  data: z.unknown().optional(),
});

const replySchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
]);
type Reply = z.infer<typeof replySchema>;

type DataArgs<K extends MessageType> = MessageData<K> extends undefined ? [] : [data: MessageData<K>];

/**
 * Sends a message to the background and resolves with its validated answer.
 * Rejects with a `MessageError` carrying the background's error code.
 */
export async function sendMessage<K extends MessageType>(
  type: K,
  ...[data]: DataArgs<K>
): Promise<MessageResponse<K>> {
  const raw: unknown = await browser.runtime.sendMessage({ type, data });
  const reply = replySchema.safeParse(raw);
  if (!reply.success) {
    throw new MessageError("bad_message", `Malformed answer to "${type}" from the background`);
  }
  if (!reply.data.ok) throw new MessageError(reply.data.error.code, reply.data.error.message);
  const value = protocol[type].response.safeParse(reply.data.value);
  if (!value.success) {
    throw new MessageError("bad_message", `Answer to "${type}" does not match the protocol`);
  }
  return value.data as MessageResponse<K>;
}

async function dispatch(handlers: MessageHandlers, message: unknown): Promise<Reply> {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) {
    return { ok: false, error: { code: "bad_message", message: "Unknown or malformed message" } };
  }
  const { type } = envelope.data;
  const data = protocol[type].data.safeParse(envelope.data.data);
  if (!data.success) {
    return { ok: false, error: { code: "bad_message", message: `Malformed payload for "${type}"` } };
  }
  try {
    // `type` is a union here; TypeScript cannot correlate it with the handler
    // and the payload it just validated for that same type.
    const handler = handlers[type] as (data: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(data.data) };
  } catch (error) {
    if (error instanceof MessageError) {
      return { ok: false, error: { code: error.code, message: error.message } };
    }
    console.error(`starwise: handler for "${type}" failed`, error);
    return {
      ok: false,
      error: { code: "internal", message: error instanceof Error ? error.message : String(error) },
    };
  }
}

/**
 * Answers protocol messages with `handlers` (background only). Returns a
 * function that removes the listener.
 */
export function handleMessages(handlers: MessageHandlers): () => void {
  // `sendResponse` + `return true` rather than returning a Promise: it is the
  // form every browser we target (Chrome MV3, Firefox) and fakeBrowser honour.
  const listener = (message: unknown, _sender: unknown, sendResponse: (reply: Reply) => void) => {
    void dispatch(handlers, message).then(sendResponse);
    return true as const;
  };
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}
