import { z } from "zod";
import type { Bindings } from "../env";

// What the user's Durable Object and the sync Workflow both need, kept below both so
// neither imports the other's module (docs/architecture.md): the object starts a run with
// these parameters, and the run publishes its progress to the object.

/** The payload of one sync run (one Workflow instance). */
export type SyncParams = {
  userId: number;
  trigger: "manual" | "auto";
};

/**
 * The payload of one unstar run or its undo (one Workflow instance of worker/unstar/unstar-workflow.ts). It holds the
 * same lock as a sync: a sync and an unstar run of one user never overlap.
 */
export type UnstarParams = {
  userId: number;
  unstarRunId: string;
  action: "unstar" | "restar";
};

/** The Durable Object of one user (`idFromName(String(userId))`): the sync lock and its progress. */
export function userSync(env: Pick<Bindings, "USER_SYNC">, userId: number) {
  return env.USER_SYNC.get(env.USER_SYNC.idFromName(String(userId)));
}

/**
 * The session a live stream (SSE or WebSocket) was opened with. The object keeps it beside
 * the stream so that signing out, deleting the account or the session's expiry ends the
 * stream too (docs/architecture.md §5): a stream is a session's read access, kept open.
 */
export const StreamSession = z.object({
  /** sha256 of the session token, as in `sessions.token_hash`. */
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** `sessions.expires_at`, ms. */
  expiresAt: z.number().int().positive(),
});
export type StreamSession = z.infer<typeof StreamSession>;

const SESSION_HEADER = "x-starwise-session";
const TICKET_HEADER = "x-starwise-ticket-hash";

/** The object's SSE stream of the current run, for this session. */
export function eventsRequest(session: StreamSession): Request {
  return new Request("https://user-sync/events", { headers: { [SESSION_HEADER]: JSON.stringify(session) } });
}

/** The object's WebSocket upgrade, authorised by redeeming the ticket whose hash this is. */
export function socketRequest(ticketHash: string): Request {
  return new Request("https://user-sync/ws", { headers: { Upgrade: "websocket", [TICKET_HEADER]: ticketHash } });
}

/** What `eventsRequest` sent; null when it is missing or malformed. */
export function streamSessionOf(request: Request): StreamSession | null {
  try {
    const parsed = StreamSession.safeParse(JSON.parse(request.headers.get(SESSION_HEADER) ?? "null"));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // not JSON: the same as absent
  }
}

export function ticketHashOf(request: Request): string | null {
  const hash = request.headers.get(TICKET_HEADER);
  return hash && /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}
