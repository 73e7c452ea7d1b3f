import { storage } from "wxt/utils/storage";
import { z } from "zod";

// Every storage key of the extension is declared here, once, with its type,
// fallback and version. Nothing else calls `storage.defineItem` or touches
// `browser.storage` directly.

/** Where the Worker lives and who we are signed in as there. */
export const connectionSchema = z.object({
  /** Base URL of the Starwise Worker, without a trailing slash. */
  workerUrl: z.url({ protocol: /^https?$/ }),
  /** Bearer session from `POST /api/auth/token`; null until connected. */
  sessionToken: z.string().min(1).nullable(),
  /** GitHub login of the connected user; null until connected. */
  login: z.string().min(1).nullable(),
});
export type Connection = z.infer<typeof connectionSchema>;

/** `wrangler dev` listens here by default. */
export const DEFAULT_WORKER_URL = "http://127.0.0.1:8787";

export const connectionItem = storage.defineItem<Connection>("local:connection", {
  fallback: { workerUrl: DEFAULT_WORKER_URL, sessionToken: null, login: null },
  version: 1,
});

/**
 * Reads the connection and validates it: storage is a boundary (an older build,
 * a devtools edit or another extension version may have written anything).
 * A malformed value is reported and treated as "not connected" rather than
 * trusted.
 */
export async function readConnection(): Promise<Connection> {
  const raw = await connectionItem.getValue();
  const parsed = connectionSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  console.warn("starwise: ignoring malformed local:connection", parsed.error.issues);
  return connectionItem.fallback;
}

export function isConnected(connection: Connection): boolean {
  return connection.sessionToken !== null;
}
