import { Hono } from "hono";
import { z } from "zod";
import { CreateListBody, ListItemsBody, UpdateListBody } from "../../shared/lists";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { createFromTag, listsOverview, setItemsFromHere, updateFromHere } from "../lists/push";

const ListParams = z.object({ id: z.string().trim().min(1).max(100) });

/**
 * The session user's GitHub Lists (docs/architecture.md §3, §4 "Lists"): read by each sync; written only on request,
 * with a token GitHub says has the `user` scope, reading GitHub first.
 */
export const listsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => c.json(await listsOverview(c.var.services.db, c.var.user.id, c.var.user.login), 200))
  .post("/", validate("json", CreateListBody), async (c) =>
    c.json(await createFromTag(c.var.services, c.var.user.id, c.req.valid("json")), 201),
  )
  .patch("/:id", validate("param", ListParams), validate("json", UpdateListBody), async (c) =>
    c.json(
      await updateFromHere(
        c.var.services,
        c.var.user.id,
        c.var.user.login,
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
  )
  .post("/:id/items", validate("param", ListParams), validate("json", ListItemsBody), async (c) =>
    c.json(await setItemsFromHere(c.var.services, c.var.user.id, c.req.valid("param").id, c.req.valid("json")), 200),
  );
