import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { users } from "../db/schema";
import { userSync } from "../lib/sync-run";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";

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
  return stub.fetch("https://user-sync/events");
});

/** `/api/sync/*`: the state of this user's sync, and its live events. */
export const syncRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/status", async (c) => {
    const { id: userId } = c.var.user;
    const [state, [user]] = await Promise.all([
      userSync(c.env, userId).status(),
      c.var.services.db
        .select({ lastSyncedAt: users.lastSyncedAt, nextSyncAt: users.nextSyncAt })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1),
    ]);
    return c.json(
      {
        ...state,
        lastSyncedAt: user?.lastSyncedAt?.toISOString() ?? null,
        nextSyncAt: user?.nextSyncAt?.toISOString() ?? null,
      },
      200,
    );
  })
  .get("/events", (c) => userSync(c.env, c.var.user.id).fetch("https://user-sync/events"))
  .get("/ws", (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError("bad_request", "GET /api/sync/ws expects a WebSocket upgrade");
    }
    return userSync(c.env, c.var.user.id).fetch(new Request("https://user-sync/ws", c.req.raw));
  });
