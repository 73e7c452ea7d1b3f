import { and, desc, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import { FEEDS_PER_USER, FeedCreateRequest, FeedIdParam, FeedTokenParam, type FeedInfo } from "../../shared/feed";
import { feedTokens, users } from "../db/schema";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { randomBase64Url, sha256Hex } from "../lib/crypto";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validator";
import { feedEntries, renderAtom } from "../library/feed";

// The digest's Atom feeds (docs/architecture.md §3, "The feed"; contract: shared/feed.ts).

const HOUR = 3_600_000;

const info = (row: typeof feedTokens.$inferSelect): FeedInfo => ({
  id: row.id,
  includePrivate: row.includePrivate,
  createdAt: row.createdAt.toISOString(),
  lastReadAt: row.lastReadAt?.toISOString() ?? null,
});

const feedUrl = (requestUrl: string, token: string) => `${new URL(requestUrl).origin}/feed/${token}`;

/** `/api/feeds`: the session user's feeds — list, make (the URL is in this answer only), revoke. */
export const feedsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => {
    const rows = await c.var.services.db
      .select()
      .from(feedTokens)
      .where(eq(feedTokens.userId, c.var.user.id))
      .orderBy(desc(feedTokens.createdAt), desc(feedTokens.id));
    return c.json({ feeds: rows.map(info) }, 200);
  })
  .post("/", validate("json", FeedCreateRequest), async (c) => {
    const { db } = c.var.services;
    const userId = c.var.user.id;
    const token = `swf_${randomBase64Url()}`;
    const now = Date.now();
    // Counted and written in one statement: two requests at once cannot pass the cap together.
    const [row] = await db.all<{ id: number }>(sql`
      insert into ${feedTokens} (token_hash, user_id, include_private, created_at)
      select ${await sha256Hex(token)}, ${userId}, ${c.req.valid("json").includePrivate ? 1 : 0}, ${now}
      where (select count(*) from ${feedTokens} where ${feedTokens.userId} = ${userId}) < ${FEEDS_PER_USER}
      returning id`);
    if (!row) {
      throw new ApiError(
        "conflict",
        `You already have ${FEEDS_PER_USER} feeds: revoke one you no longer use, then make a new one`,
      );
    }
    const [created] = await db.select().from(feedTokens).where(eq(feedTokens.id, row.id)).limit(1);
    return c.json({ ...info(created!), url: feedUrl(c.req.url, token) }, 201);
  })
  .delete("/:id", validate("param", FeedIdParam), async (c) => {
    const deleted = await c.var.services.db
      .delete(feedTokens)
      .where(and(eq(feedTokens.id, c.req.valid("param").id), eq(feedTokens.userId, c.var.user.id)))
      .returning({ id: feedTokens.id });
    if (deleted.length === 0) throw new ApiError("not_found", "No such feed: it was revoked already");
    return c.body(null, 204);
  });

/**
 * `GET /feed/:token`: one feed, for a reader. The one route whose credential is in its URL, because a feed reader
 * cannot send a header (docs/architecture.md §3): the token opens this feed only — read-only, GitHub's facts of
 * the last days, no notes or tags — and its owner can revoke it. Unknown and revoked look the same: 404.
 */
export const feedRoutes = new Hono<AppEnv>().get("/:token", validate("param", FeedTokenParam), async (c) => {
  const { db } = c.var.services;
  const tokenHash = await sha256Hex(c.req.valid("param").token);
  const now = new Date();
  // When a reader last read it, written at most once an hour (readers poll; a write a poll would be waste).
  const [, [feed]] = await db.batch([
    db
      .update(feedTokens)
      .set({ lastReadAt: now })
      .where(
        and(
          eq(feedTokens.tokenHash, tokenHash),
          sql`(${feedTokens.lastReadAt} is null or ${feedTokens.lastReadAt} < ${now.getTime() - HOUR})`,
        ),
      ),
    db
      .select({
        id: feedTokens.id,
        userId: feedTokens.userId,
        includePrivate: feedTokens.includePrivate,
        createdAt: feedTokens.createdAt,
        login: users.login,
        language: users.language,
      })
      .from(feedTokens)
      .innerJoin(users, eq(users.id, feedTokens.userId))
      .where(eq(feedTokens.tokenHash, tokenHash))
      .limit(1),
  ]);
  if (!feed) {
    throw new ApiError(
      "not_found",
      "This feed does not exist: it was revoked, or the address is wrong. Make a new one in Starwise's options",
    );
  }
  const entries = await feedEntries(db, feed.userId, { includePrivate: feed.includePrivate, now });
  const { hostname } = new URL(c.req.url);
  const body = renderAtom({
    selfUrl: c.req.url,
    id: `tag:${hostname},2026:feed/${feed.id}`,
    authority: hostname,
    login: feed.login,
    language: feed.language,
    createdAt: feed.createdAt,
    entries,
  });
  // Not for search engines, should the address ever be posted where one reads it.
  c.header("X-Robots-Tag", "noindex");
  return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8" });
});
