import { and, count, eq, or, sql } from "drizzle-orm";
import { Hono } from "hono";
import { SYNC_TICKET, SYNC_TICKET_TTL_MS, SyncSocketQuery } from "../../shared/api";
import type { LibraryReadiness, SyncStatus } from "../../shared/events";
import type { Db } from "../db/client";
import { readmeQueue, stars, users } from "../db/schema";
import type { AppEnv } from "../env";
import { requireSession, type SessionUser } from "../lib/auth";
import { randomBase64Url, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { eventsRequest, socketRequest, userSync } from "../lib/sync-run";
import { validate } from "../lib/validator";

/** The session a stream is bound to: signing out or its expiry ends the stream (docs/architecture.md §5). */
const streamSession = (user: SessionUser) => ({ tokenHash: user.tokenHash, expiresAt: user.sessionExpiresAt });

/** `POST /api/repositories/sync`: start a sync, or attach to the running one. */
export const syncTriggerRoutes = new Hono<AppEnv>().use(requireSession).post("/", async (c) => {
  const { id: userId } = c.var.user;
  const stub = userSync(c.env, userId);
  const { runId, attached } = await stub.startOrAttach({ userId, trigger: "manual" });
  const accept = c.req.header("Accept") ?? "";
  if (accept.includes("application/json") && !accept.includes("text/event-stream")) {
    return c.json({ runId, attached }, 202);
  }
  // The default: the run's events as SSE until `done` or `error` (the latest first).
  return stub.fetch(eventsRequest(streamSession(c.var.user)));
});

/** `/api/sync/*`: the state of this user's sync, and its live events. */
export const syncRoutes = new Hono<AppEnv>()
  // The socket first, and outside requireSession: browsers cannot set headers on
  // `new WebSocket()`, so it authenticates with a single-use ticket in its URL — never with
  // the session token, which would be written to logs and traces (docs/architecture.md §3).
  // The strict query refuses anything but `ticket` (an `access_token` is a 400).
  .get("/ws", validate("query", SyncSocketQuery), async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("bad_request", "GET /api/sync/ws expects a WebSocket upgrade");
    }
    const { ticket } = c.req.valid("query");
    const userId = Number(SYNC_TICKET.exec(ticket)![1]);
    // The user's object redeems it: an id that is not the ticket's owner finds nothing there.
    return userSync(c.env, userId).fetch(socketRequest(await sha256Hex(ticket)));
  })
  .use(requireSession)
  // A ticket for one socket: lives SYNC_TICKET_TTL_MS, is kept only as a hash, and binds the
  // socket to this session.
  .post("/ticket", async (c) => {
    const user = c.var.user;
    const ticket = `swt_${user.id}.${randomBase64Url()}`;
    const expiresAt = Math.min(Date.now() + SYNC_TICKET_TTL_MS, user.sessionExpiresAt);
    const kept = await userSync(c.env, user.id).addTicket(await sha256Hex(ticket), {
      session: streamSession(user),
      expiresAt,
    });
    if (!kept) throw new ApiError("unauthorized", "This session has ended: sign in again");
    return c.json({ ticket, expiresAt: new Date(expiresAt).toISOString() }, 201);
  })
  .get("/status", async (c) => {
    const { id: userId } = c.var.user;
    const { db } = c.var.services;
    const [state, [user], library] = await Promise.all([
      userSync(c.env, userId).status(),
      db
        .select({ lastSyncedAt: users.lastSyncedAt, nextSyncAt: users.nextSyncAt })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1),
      libraryReadiness(db, userId),
    ]);
    return c.json(
      {
        ...state,
        lastSyncedAt: user?.lastSyncedAt?.toISOString() ?? null,
        nextSyncAt: user?.nextSyncAt?.toISOString() ?? null,
        library,
      } satisfies SyncStatus,
      200,
    );
  })
  .get("/events", (c) => userSync(c.env, c.var.user.id).fetch(eventsRequest(streamSession(c.var.user))));

/**
 * What of the library is ready: two counting reads over the user's own rows (one batch). A star whose repository
 * is gone from GitHub is counted apart, never as one of the stars (docs/architecture.md §4, "Gone is not
 * unstarred").
 */
async function libraryReadiness(db: Db, userId: number): Promise<LibraryReadiness> {
  const present = sql`${stars.goneReason} is null`;
  const [[library], [queue]] = await db.batch([
    db
      .select({
        stars: sql<number>`coalesce(sum(${present}), 0)`,
        gone: sql<number>`coalesce(sum(not ${present}), 0)`,
        analysed: sql<number>`coalesce(sum(${present} and ${stars.analysisId} is not null), 0)`,
        embedded: sql<number>`coalesce(sum(${present} and ${stars.embeddedSource} is not null), 0)`,
      })
      .from(stars)
      .where(and(eq(stars.userId, userId), or(eq(stars.isStarred, true), eq(stars.isSaved, true)))),
    db.select({ pending: count() }).from(readmeQueue).where(eq(readmeQueue.userId, userId)),
  ]);
  return {
    stars: Number(library?.stars ?? 0),
    gone: Number(library?.gone ?? 0),
    readmesPending: queue?.pending ?? 0,
    analysed: Number(library?.analysed ?? 0),
    embedded: Number(library?.embedded ?? 0),
  };
}
