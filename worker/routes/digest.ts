import { Hono } from "hono";
import { DigestQuery } from "../../shared/digest";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { starDigest } from "../library/digest";

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
  });
