import { Hono } from "hono";
import { IdempotencyHeaders, OperationParams, ProposalParams, TagOperationRequest } from "../../shared/tags";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { dismissProposal, tagProposals } from "../tags/gardener";
import { readVocabulary } from "../tags/list";
import { applyOperation, recentOperations, undoOperation } from "../tags/operations";
import type { WriteTally } from "../tags/writes";

/**
 * The user's tag vocabulary (docs/architecture.md §3 `/api/tags`, §2 "Tags"): the tags with counts and sources,
 * the gardener's proposals, and operations logged with their inverse so each can be undone. An operation with an
 * `Idempotency-Key` header applies once: a retry answers 200 with the first result (201 the first time).
 */
export const tagsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => {
    const { tags, hidden } = await readVocabulary(c.var.services.db, c.var.user.id);
    return c.json({ tags, hidden }, 200);
  })
  .get("/proposals", async (c) => c.json({ proposals: await tagProposals(c.var.services.db, c.var.user.id) }, 200))
  .post("/proposals/:id/dismiss", validate("param", ProposalParams), async (c) => {
    await dismissProposal(c.var.services.db, c.var.user.id, c.req.valid("param").id);
    return c.json({ dismissed: true }, 200);
  })
  .get("/operations", async (c) =>
    c.json({ operations: await recentOperations(c.var.services.db, c.var.user.id) }, 200),
  )
  .post("/operations", validate("header", IdempotencyHeaders), validate("json", TagOperationRequest), async (c) => {
    const key = c.req.valid("header")["idempotency-key"] ?? null;
    const started = Date.now();
    const outcome = await applyOperation(c.var.services.db, c.var.user.id, c.req.valid("json"), key);
    c.header("Server-Timing", serverTiming(outcome.tally, Date.now() - started));
    return c.json({ operation: outcome.operation }, outcome.replayed ? 200 : 201);
  })
  .post("/operations/:id/undo", validate("param", OperationParams), async (c) => {
    const started = Date.now();
    const outcome = await undoOperation(c.var.services.db, c.var.user.id, c.req.valid("param").id);
    c.header("Server-Timing", serverTiming(outcome.tally, Date.now() - started));
    return c.json({ operation: outcome.operation }, 200);
  });

/**
 * What an operation's writes cost (https://www.w3.org/TR/server-timing/), read by `npm run bench:organise`: its D1
 * write statements and batches (the log and the bounded writes; the planning reads are not counted), the rows D1
 * says they wrote, and the whole request's time in the Worker.
 */
function serverTiming(tally: WriteTally, ms: number) {
  return [
    `total;dur=${ms}`,
    `statements;desc="${tally.statements}"`,
    `batches;desc="${tally.batches}"`,
    `rows-written;desc="${tally.rowsWritten}"`,
  ].join(", ");
}
