import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { repositories, stars, users } from "../db/schema";
import { removeVectors } from "../vectors/remove";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { userSync } from "../lib/sync-run";

export const meRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => {
    const { db } = c.var.services;
    const userId = c.var.user.id;
    const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
    if (!user) throw new ApiError("unauthorized", "The account no longer exists");
    const [library] = await db
      .select({
        starred: sql<number>`coalesce(sum(${stars.isStarred} and ${stars.goneReason} is null), 0)`,
        saved: sql<number>`coalesce(sum(${stars.isSaved} and not ${stars.isStarred}), 0)`,
        gone: sql<number>`coalesce(sum(${stars.isStarred} and ${stars.goneReason} is not null), 0)`,
      })
      .from(stars)
      .where(eq(stars.userId, userId));
    return c.json(
      {
        user: {
          id: user.id,
          login: user.login,
          avatarUrl: user.avatarUrl,
          language: user.language,
          autoSync: user.autoSync,
          tokenStatus: user.tokenStatus,
        },
        sync: {
          lastSyncedAt: user.lastSyncedAt?.toISOString() ?? null,
          nextSyncAt: user.nextSyncAt?.toISOString() ?? null,
        },
        library: {
          starred: Number(library?.starred ?? 0),
          saved: Number(library?.saved ?? 0),
          gone: Number(library?.gone ?? 0),
        },
      },
      200,
    );
  })
  // Delete the account and everything that is only theirs: sessions, stars, runs (by
  // cascade), private repositories nobody else can see, and the user's Durable Object.
  .delete("/", async (c) => {
    const { db } = c.var.services;
    const userId = c.var.user.id;
    // Vectors first, while the stars still say which exist: should the rows' deletion fail,
    // the account is still there and its next sync embeds again.
    await removeVectors(c.var.services, userId, "all");
    const othersStar = sql`s2.repository_id = ${repositories.id} and s2.user_id <> ${userId}`;
    const onlyMine = sql`not exists (select 1 from ${stars} s2 where ${othersStar})`;
    const myStars = sql`select ${stars.repositoryId} from ${stars} where ${stars.userId} = ${userId}`;
    const mine = sql`${repositories.id} in (${myStars})`;
    // One batch = one transaction: the account is gone completely or not at all.
    await db.batch([
      db.delete(repositories).where(and(eq(repositories.isPrivate, true), mine, onlyMine)),
      db.delete(users).where(eq(users.id, userId)),
    ]);
    await userSync(c.env, userId).deleteAll();
    return c.body(null, 204);
  });
