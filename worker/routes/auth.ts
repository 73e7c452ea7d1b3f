import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { AuthTokenRequest } from "../../shared/api";
import { sessions, users } from "../db/schema";
import type { AppEnv } from "../env";
import { GithubError } from "../github/errors";
import { bearerToken, createSession } from "../lib/auth";
import { sha256Hex } from "../lib/crypto";
import { tokenContext } from "../lib/github-token";
import { throttleSignIn } from "../lib/sign-in-throttle";
import { userSync } from "../lib/sync-run";
import { validate } from "../lib/validator";

/** The only /api routes that do not need a session. */
export const authRoutes = new Hono<AppEnv>()
  // Exchange a GitHub token for a Starwise session. GitHub's `GET /user` is the proof.
  .post("/token", validate("json", AuthTokenRequest), async (c) => {
    const { githubToken } = c.req.valid("json");
    const { db, github, secrets, sessionTtlMs } = c.var.services;
    // Before GitHub is asked: every attempt counts, good token or not.
    await throttleSignIn(db, githubToken, c.req.header("CF-Connecting-IP") ?? null);
    const profile = await github
      .forToken(githubToken)
      .getAuthenticatedUser()
      .catch((error: unknown) => {
        // `GET /user` has no "not found": a 404 means GITHUB_API_URL does not point at GitHub's API.
        if (error instanceof GithubError && error.kind === "not_found") {
          throw new GithubError("unavailable", `GET /user answered 404: ${error.message}`, {
            status: error.status,
            cause: error,
          });
        }
        throw error;
      });
    const now = new Date();
    const tokenCiphertext = await secrets.seal(githubToken, tokenContext(profile.id));
    const [user] = await db
      .insert(users)
      .values({
        githubId: profile.id,
        login: profile.login,
        avatarUrl: profile.avatar_url ?? null,
        tokenCiphertext,
        tokenStatus: "valid",
        // What the token may do (worker/unstar/star-write.ts): whether it may star and unstar.
        tokenScopes: profile.scopes,
        tokenScopesAt: now,
        // A new user is due at once: the cron gives them a first sync even if no client asks.
        nextSyncAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: users.githubId,
        set: {
          login: profile.login,
          avatarUrl: profile.avatar_url ?? null,
          tokenCiphertext,
          tokenStatus: "valid",
          tokenScopes: profile.scopes,
          tokenScopesAt: now,
          // Another token, or the same one given "Starring: write" since: GitHub is asked again.
          starWriteRefusedAt: null,
          updatedAt: now,
        },
      })
      .returning({ id: users.id, login: users.login, avatarUrl: users.avatarUrl });
    if (!user) throw new Error("user upsert returned no row");
    const sessionToken = await createSession(db, c.env, user.id, sessionTtlMs);
    return c.json({ sessionToken, user }, 200);
  })
  // Log out: end this session's open streams, then forget the session. Idempotent: an
  // unknown session is already logged out. Streams first: if the user's object cannot be
  // reached the request fails with the row still there, and the client's retry does both.
  .delete("/session", async (c) => {
    const tokenHash = await sha256Hex(bearerToken(c.req.header("Authorization")));
    const { db } = c.var.services;
    const [row] = await db
      .select({ userId: sessions.userId })
      .from(sessions)
      .where(eq(sessions.tokenHash, tokenHash))
      .limit(1);
    if (!row) return c.body(null, 204);
    await userSync(c.env, row.userId).revokeSessions([tokenHash]);
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return c.body(null, 204);
  });
