import { browser } from "wxt/browser";
import { MessageError } from "./message-error";
import type { MessageData, MessageResponse, MessageType } from "./messaging";

// The content script's sender. It cannot afford zod (94 KB of a 150 KB bundle, the
// budget is 50 KB gzipped), so unlike `sendMessage` in messaging.ts it checks only the
// reply's envelope by hand. The trust boundary is the other way round anyway: the
// background validates with zod every message a github.com page's content script
// sends it; answers come from our own background.

type DataArgs<K extends MessageType> = MessageData<K> extends undefined ? [] : [data: MessageData<K>];

export async function sendMessageLite<K extends MessageType>(
  type: K,
  ...[data]: DataArgs<K>
): Promise<MessageResponse<K>> {
  const raw = (await browser.runtime.sendMessage({ type, data })) as unknown;
  if (typeof raw === "object" && raw !== null && "ok" in raw) {
    const reply = raw as { ok: boolean; value?: unknown; error?: { code?: unknown; message?: unknown } };
    if (reply.ok) return reply.value as MessageResponse<K>;
    if (typeof reply.error?.code === "string")
      throw new MessageError(reply.error.code, String(reply.error.message ?? ""));
  }
  throw new MessageError("bad_message", `Malformed answer to "${type}" from the background`);
}
