import { and, desc, eq, gt, inArray, lte, notInArray, or, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import { createDb, type Db } from "../db/client";
import { sessions, users } from "../db/schema";
import type { AppEnv, Bindings } from "../env";
import { newSessionToken, sha256Hex } from "./crypto";
import { ApiError } from "./errors";
import { purgeSignInAttempts } from "./sign-in-throttle";
import { userSync } from "./sync-run";

export type SessionUser = {
  id: number;
  githubId: number;
  login: string;
  /** sha256 of this request's session token: what the user's streams are bound to. */
  tokenHash: string;
  /** When this session expires (ms); its streams end then. */
  sessionExpiresAt: number;
};

/** Live sessions a user may hold (one per device or client); a new sign-in beyond it revokes the oldest. */
export const MAX_SESSIONS_PER_USER = 10;

/** Reads `Authorization: Bearer <session>`; anything else is 401 `unauthorized`. */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) throw new ApiError("unauthorized", "Missing Authorization: Bearer <session token>");
  return match[1];
}

/**
 * The session comes from the Authorization header and nowhere else: a token in a URL is
 * written to logs, traces and browser history. The one route a browser cannot give a
 * header, the sync socket, takes a short-lived ticket instead (routes/sync.ts).
 */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  // Mounted sub-apps may both ask for the session: look it up once.
  if (c.get("user")) return next();
  const tokenHash = await sha256Hex(bearerToken(c.req.header("Authorization")));
  const { db } = c.var.services;
  const [row] = await db
    .select({ id: users.id, githubId: users.githubId, login: users.login, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, new Date())))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The session is unknown or has expired: sign in again");
  const { expiresAt, ...user } = row;
  c.set("user", { ...user, tokenHash, sessionExpiresAt: expiresAt.getTime() });
  await next();
});

/**
 * Creates a session and returns the raw token: the only time it exists outside the client.
 * In the same transaction the user's expired sessions are purged and, beyond
 * MAX_SESSIONS_PER_USER, the oldest live ones revoked; their open streams are ended too.
 */
export async function createSession(
  db: Db,
  env: Pick<Bindings, "USER_SYNC">,
  userId: number,
  ttlMs: number,
): Promise<string> {
  const token = newSessionToken();
  const now = Date.now();
  const newest = db
    .select({ tokenHash: sessions.tokenHash })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date(now))))
    // rowid: two sign-ins in the same millisecond still have an order.
    .orderBy(desc(sessions.createdAt), desc(sql`rowid`))
    .limit(MAX_SESSIONS_PER_USER);
  const [, dropped] = await db.batch([
    db.insert(sessions).values({
      tokenHash: await sha256Hex(token),
      userId,
      createdAt: new Date(now),
      expiresAt: new Date(now + ttlMs),
    }),
    db
      .delete(sessions)
      .where(
        and(
          eq(sessions.userId, userId),
          or(lte(sessions.expiresAt, new Date(now)), notInArray(sessions.tokenHash, newest)),
        ),
      )
      .returning({ tokenHash: sessions.tokenHash }),
  ]);
  await revokeStreams(
    env,
    userId,
    dropped.map((row) => row.tokenHash),
  );
  return token;
}

/**
 * Ends the open streams of sessions that were just revoked by a new sign-in. Best-effort:
 * the rows are gone, so no request authenticates with them any more; the sign-in itself
 * succeeded and is not failed for this. (Sign-out asks the object directly and fails when it
 * cannot: the client retries, and a retry ends the streams.)
 */
async function revokeStreams(env: Pick<Bindings, "USER_SYNC">, userId: number, tokenHashes: string[]): Promise<void> {
  if (tokenHashes.length === 0) return;
  try {
    await userSync(env, userId).revokeSessions(tokenHashes);
  } catch (error) {
    console.error(`could not end the streams of ${tokenHashes.length} revoked session(s) of user ${userId}:`, error);
  }
}

/** How many expired sessions one purge deletes at most (the cron runs every 5 minutes). */
const PURGE_BATCH = 5_000;

/** Deletes expired sessions, oldest first, a bounded batch at a time. */
export async function purgeExpiredSessions(db: Db, now = Date.now()): Promise<number> {
  const expired = db
    .select({ tokenHash: sessions.tokenHash })
    .from(sessions)
    .where(lte(sessions.expiresAt, new Date(now)))
    .orderBy(sessions.expiresAt)
    .limit(PURGE_BATCH);
  const deleted = await db
    .delete(sessions)
    .where(inArray(sessions.tokenHash, expired))
    .returning({ tokenHash: sessions.tokenHash });
  return deleted.length;
}

/** The cron's housekeeping: expired sessions and finished sign-in windows. Logged, never thrown. */
export async function purgeExpiredAuth(env: Pick<Bindings, "DB">, now = Date.now()): Promise<void> {
  const db = createDb(env.DB);
  try {
    await purgeExpiredSessions(db, now);
    await purgeSignInAttempts(db, now);
  } catch (error) {
    console.error("cron: could not purge expired sessions or sign-in windows:", error);
  }
}
