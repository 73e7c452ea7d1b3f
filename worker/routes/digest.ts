import { Hono } from "hono";
import { DigestQuery, WatchedReleasesQuery } from "../../shared/digest";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { starDigest, watchedReleases } from "../library/digest";

/**
 * `GET /api/digest` (docs/architecture.md §3, §4 "The digest"): what changed in the session user's stars since
 * `since` — releases, archived, gone, unstarred, quiet over the whole library, a few forgotten stars.
 */
export const digestRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", validate("query", DigestQuery), async (c) => {
    const { since, quietYears } = c.req.valid("query");
    const digest = await starDigest(c.var.services.db, c.var.user.id, { since: new Date(since), quietYears });
    return c.json(digest, 200);
  })
  // The new releases of the repositories the user watches: what the extension's notification after a sync lists.
  .get("/releases", validate("query", WatchedReleasesQuery), async (c) => {
    const { since } = c.req.valid("query");
    return c.json(await watchedReleases(c.var.services.db, c.var.user.id, new Date(since)), 200);
  });
