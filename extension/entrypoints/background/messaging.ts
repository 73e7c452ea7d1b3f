import { handleMessages, MessageError } from "@/lib/messaging";
import { isConnected, readConnection } from "@/lib/storage";

/** Registers the background's answers to the message protocol. */
export function setUpMessaging(): () => void {
  return handleMessages({
    async getStatus() {
      const connection = await readConnection();
      // The session token stays in the background: no page needs it.
      return {
        connected: isConnected(connection),
        login: connection.login,
        workerUrl: connection.workerUrl,
      };
    },

    async startSync() {
      const connection = await readConnection();
      if (!isConnected(connection)) {
        throw new MessageError("not_connected", "Connect to a Starwise server first.");
      }
      // TODO(2026-11-28): call `POST /api/repositories/sync` on the Worker (later
      // issue: sync + live progress). Until then the pipe answers honestly.
      throw new MessageError("not_implemented", "Syncing from the extension is not available yet.");
    },
  });
}
