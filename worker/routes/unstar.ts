import { Hono } from "hono";
import { z } from "zod";
import { UnstarRequest, UnstarSelection } from "../../shared/unstar";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { previewOf, runViews, selectTargets } from "../unstar/runs";
import { ensureStarWrite, readStarWrite } from "../unstar/star-write";
import { resumeUnstar, startUnstar, undoUnstar } from "../unstar/start";

const RunParam = z.object({ id: z.uuid("a run id is a UUID") });

/**
 * Unstar in bulk, reversibly (docs/architecture.md §3 `/api/unstar`, §4 "Unstar in bulk"): the state (may the token
 * write, the latest runs), a preview that asks GitHub nothing, a run, its undo and its resume. Runs hold the user's
 * lock and publish on the sync's progress stream.
 */
export const unstarRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => {
    const { db } = c.var.services;
    const [starWrite, runs] = await Promise.all([
      readStarWrite(c.var.services, c.var.user.id),
      runViews(db, c.var.user.id),
    ]);
    return c.json({ starWrite, runs }, 200);
  })
  .post("/preview", validate("json", z.object({ selection: UnstarSelection }).strict()), async (c) => {
    const { selection } = c.req.valid("json");
    const starWrite = await ensureStarWrite(c.var.services, c.var.user.id);
    const { targets, notInLibrary } = await selectTargets(c.var.services.db, c.var.user.id, selection);
    return c.json(previewOf(targets, notInLibrary, starWrite), 200);
  })
  .post("/", validate("json", UnstarRequest), async (c) => {
    const { selection } = c.req.valid("json");
    const run = await startUnstar({ env: c.env, services: c.var.services, userId: c.var.user.id }, selection);
    return c.json({ run }, 202);
  })
  .post("/:id/undo", validate("param", RunParam), async (c) => {
    const ctx = { env: c.env, services: c.var.services, userId: c.var.user.id };
    return c.json({ run: await undoUnstar(ctx, c.req.valid("param").id) }, 202);
  })
  .post("/:id/resume", validate("param", RunParam), async (c) => {
    const ctx = { env: c.env, services: c.var.services, userId: c.var.user.id };
    return c.json({ run: await resumeUnstar(ctx, c.req.valid("param").id) }, 202);
  });
