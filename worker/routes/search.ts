import { Hono } from "hono";
import { SearchQuery } from "../../shared/search";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { spendSearch } from "../search/budget";
import { searchLibrary } from "../search/search";

/** `GET /api/search` (docs/architecture.md §7): hybrid search over the session user's library. */
export const searchRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", validate("query", SearchQuery), async (c) => {
    const { db, semantic, config } = c.var.services;
    if (semantic) await spendSearch(db, c.var.user.id, config.searchesPerMinute);
    const { timings, ...result } = await searchLibrary(
      db,
      c.var.user.id,
      c.req.valid("query"),
      semantic,
      config.search,
    );
    // Where the time went (https://www.w3.org/TR/server-timing/), read by `npm run bench:search`.
    c.header(
      "Server-Timing",
      Object.entries(timings)
        .map(([part, ms]) => `${part};dur=${ms}`)
        .join(", "),
    );
    return c.json(result, 200);
  });
