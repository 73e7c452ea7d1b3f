import { and, eq, gt } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Db } from "../db/client";
import { sessions, users } from "../db/schema";
import type { AppEnv } from "../env";
import { newSessionToken, sha256Hex } from "./crypto";
import { ApiError } from "./errors";

export type SessionUser = { id: number; githubId: number; login: string; tokenHash: string };

/** Reads `Authorization: Bearer <session>`; anything else is 401 `unauthorized`. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) throw new ApiError("unauthorized", "Missing Authorization: Bearer <session token>");
  return match[1];
}

export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  // Mounted sub-apps may both ask for the session: look it up once.
  if (c.get("user")) return next();
  const tokenHash = await sha256Hex(bearerToken(sessionHeader(c.req.raw)));
  const { db } = c.var.services;
  const [row] = await db
    .select({ id: users.id, githubId: users.githubId, login: users.login })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The session is unknown or has expired: sign in again");
  c.set("user", { ...row, tokenHash });
  await next();
});

/**
 * The Authorization header, or for a WebSocket upgrade (browsers cannot set headers on
 * `new WebSocket()`) the `access_token` query parameter in its place.
 */
function sessionHeader(request: Request): string | undefined {
  const header = request.headers.get("Authorization") ?? undefined;
  if (header || request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return header;
  const token = new URL(request.url).searchParams.get("access_token");
  return token ? `Bearer ${token}` : undefined;
}

/** Creates a session and returns the raw token: the only time it exists outside the client. */
export async function createSession(db: Db, userId: number, ttlMs: number): Promise<string> {
  const token = newSessionToken();
  const now = Date.now();
  await db.insert(sessions).values({
    tokenHash: await sha256Hex(token),
    userId,
    createdAt: new Date(now),
    expiresAt: new Date(now + ttlMs),
  });
  return token;
}
