import { Hono } from "hono";
import { AuthTokenRequest } from "../../shared/api";
import { sessions, users } from "../db/schema";
import type { AppEnv } from "../env";
import { bearerToken, createSession } from "../lib/auth";
import { sha256Hex } from "../lib/crypto";
import { tokenContext } from "../lib/github-token";
import { validate } from "../lib/validator";
import { eq } from "drizzle-orm";

/** The only /api routes that do not need a session. */
export const authRoutes = new Hono<AppEnv>()
  // Exchange a GitHub token for a Starwise session. GitHub's `GET /user` is the proof.
  .post("/token", validate("json", AuthTokenRequest), async (c) => {
    const { githubToken } = c.req.valid("json");
    const { db, github, secrets, sessionTtlMs } = c.var.services;
    const profile = await github.forToken(githubToken).getAuthenticatedUser();
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
        // A new user is due at once: the cron gives them a first sync even if no client asks.
        nextSyncAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: users.githubId,
        set: { login: profile.login, avatarUrl: profile.avatar_url ?? null, tokenCiphertext, tokenStatus: "valid", updatedAt: now },
      })
      .returning({ id: users.id, login: users.login, avatarUrl: users.avatarUrl });
    if (!user) throw new Error("user upsert returned no row");
    const sessionToken = await createSession(db, user.id, sessionTtlMs);
    return c.json({ sessionToken, user }, 200);
  })
  // Log out: forget this session. Idempotent: an unknown session is already logged out.
  .delete("/session", async (c) => {
    const tokenHash = await sha256Hex(bearerToken(c.req.header("Authorization")));
    await c.var.services.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return c.body(null, 204);
  });
