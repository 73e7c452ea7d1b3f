import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { isFinal, type DoneData, type ErrorData, type SyncEvent, type SyncStatus } from "../../shared/events";
import { configOf } from "../config";
import { createDb } from "../db/client";
import { syncRuns, unstarRuns } from "../db/schema";
import type { Bindings } from "../env";
import { ApiError } from "../lib/errors";
import { streamSessionOf, ticketHashOf, type SyncParams, type UnstarParams } from "../lib/sync-run";
import { StreamHub } from "./stream-hub";
import { SocketTickets, type Ticket } from "./tickets";

/** `kind`: which Workflow the run is (absent in locks stored before unstar runs: a sync). */
type Lock = {
  runId: string;
  trigger: SyncParams["trigger"];
  startedAt: number;
  heartbeatAt: number;
  kind?: "sync" | "unstar";
};
type LastResult = NonNullable<SyncStatus["lastResult"]>;

/** A run that has said nothing for this long is asked whether it still lives. */
export const LOCK_TTL_MS = 10 * 60_000;
/**
 * Workflow states in which a quiet run is still alive (e.g. sleeping until a rate limit resets),
 * "running" only until the config's `syncStuckAfterMs` of silence: then the instance is stuck (a
 * local runtime restarted under it does not resume it) and would otherwise hold the lock forever.
 */
const ALIVE = new Set(["queued", "running", "waiting", "paused", "waitingForPause"]);

/**
 * One per user: the sync lock (one run at a time; a second trigger attaches), the run's
 * latest event and last result, and the watchdog that finds a run that died without
 * finishing (its alarm; docs/architecture.md §6). It composes the broadcaster of the run's
 * progress (`StreamHub`, SSE and hibernating WebSockets, §5) and the socket tickets
 * (`SocketTickets`): the object routes their requests and ends a revoked session's streams
 * and tickets in one call.
 */
export class UserSync extends DurableObject<Bindings> {
  #lock: Lock | null = null;
  #latest: SyncEvent | null = null;
  #lastResult: LastResult | null = null;
  // Read when a stream opens, not when the hub is made: the lock and the latest event change.
  readonly #hub = new StreamHub(this.ctx, { latest: () => this.#latest, running: () => this.#lock !== null });
  readonly #tickets = new SocketTickets(this.ctx.storage);

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Restore before the first request; hibernation and eviction lose memory, not storage.
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<Lock | SyncEvent | LastResult>(["lock", "latest", "lastResult"]);
      this.#lock = (stored.get("lock") as Lock | undefined) ?? null;
      this.#latest = (stored.get("latest") as SyncEvent | undefined) ?? null;
      this.#lastResult = (stored.get("lastResult") as LastResult | undefined) ?? null;
      // A held lock always has its watchdog, whatever happened to the alarm before, and no later
      // than its silence allows (a deployment whose stuck bound is shorter than the alarm set).
      if (this.#lock) {
        const alarm = await ctx.storage.getAlarm();
        const due = Math.max(Date.now(), this.#lock.heartbeatAt + this.#watchMs());
        if (alarm === null || alarm > due)
          await ctx.storage.setAlarm(alarm === null ? Date.now() + this.#watchMs() : due);
      }
    });
  }

  /** Starts a run, or attaches to the one that holds the lock. Never creates two. */
  async startOrAttach(params: SyncParams): Promise<{ runId: string; attached: boolean }> {
    if (this.#lock) return { runId: this.#lock.runId, attached: true };
    const now = Date.now();
    const lock: Lock = { runId: crypto.randomUUID(), trigger: params.trigger, startedAt: now, heartbeatAt: now };
    await this.#take(lock, () => this.env.SYNC_WORKFLOW.create({ id: lock.runId, params }));
    return { runId: lock.runId, attached: false };
  }

  /**
   * Holds `lock` and starts its run's Workflow. Taken in memory before the first await: a concurrent trigger
   * that runs while we wait on storage or on the Workflow sees it (and attaches, or is told what is busy).
   * Released again when the Workflow cannot be made.
   */
  async #take(lock: Lock, create: () => Promise<unknown>): Promise<void> {
    this.#lock = lock;
    this.#latest = null;
    try {
      await this.ctx.storage.put("lock", lock);
      await this.ctx.storage.delete("latest");
      await this.ctx.storage.setAlarm(lock.startedAt + this.#watchMs());
      await create();
    } catch (error) {
      this.#lock = null;
      await this.ctx.storage.delete("lock");
      throw error;
    }
  }

  /**
   * Starts an unstar run (or its undo, or a resume) under the lock. Never attaches: with a run going it answers
   * `busy` and what holds the lock, so the client can say "a sync is running; try when it ends". A lock whose
   * Workflow is dead (finished without a word, terminated) is released first, as the watchdog would.
   */
  async startUnstar(
    params: UnstarParams,
  ): Promise<{ started: true; runId: string } | { started: false; busy: "sync" | "unstar"; runId: string }> {
    const held = this.#lock;
    if (held && (await this.#instanceState(held)) !== "dead") {
      return { started: false, busy: held.kind ?? "sync", runId: held.runId };
    }
    if (held && this.#lock === held) await this.#interrupt(held, Date.now());
    // Another trigger may have taken the lock while the Workflow was asked: it holds it.
    if (this.#lock) return { started: false, busy: this.#lock.kind ?? "sync", runId: this.#lock.runId };
    const now = Date.now();
    const lock: Lock = {
      runId: crypto.randomUUID(),
      trigger: "manual",
      startedAt: now,
      heartbeatAt: now,
      kind: "unstar",
    };
    await this.#take(lock, () => this.env.UNSTAR_WORKFLOW.create({ id: lock.runId, params }));
    return { started: true, runId: lock.runId };
  }

  /** Called by the run's Workflow for each event. Events of a run that no longer holds the lock are dropped. */
  async publish(runId: string, event: SyncEvent): Promise<void> {
    const lock = this.#lock;
    if (!lock || lock.runId !== runId) return;
    // A replayed Workflow step may publish the same event again: subscribers see it once.
    if (JSON.stringify(this.#latest) === JSON.stringify(event)) return;
    this.#latest = event;
    if (isFinal(event)) {
      await this.#release(event);
    } else {
      const now = Date.now();
      await this.ctx.storage.put("latest", event);
      // Re-arm the watchdog at most once a minute: progress can be many events a second.
      if (now - lock.heartbeatAt > 60_000) {
        lock.heartbeatAt = now;
        await this.ctx.storage.put("lock", lock);
        await this.ctx.storage.setAlarm(now + this.#watchMs());
      }
    }
    this.#hub.broadcast(event);
  }

  async status(): Promise<Pick<SyncStatus, "running" | "runId" | "phase" | "progress" | "lastResult">> {
    const progress = this.#latest?.event === "progress" ? this.#latest.data : null;
    return {
      running: this.#lock !== null,
      runId: this.#lock?.runId ?? null,
      phase: this.#lock ? (progress?.phase ?? null) : null,
      progress: this.#lock ? progress : null,
      lastResult: this.#lastResult,
    };
  }

  /** `/events` → SSE stream of the current run; `/ws` → hibernating WebSocket of all runs. */
  override async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws") {
      if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
        return new Response("expected a WebSocket upgrade", { status: 426 });
      }
      const session = await this.#tickets.redeem(ticketHashOf(request));
      if (!session || (await this.#hub.isRevoked(session))) {
        const error = new ApiError(
          "unauthorized",
          "The ticket is unknown, used or expired: ask POST /api/sync/ticket for a new one",
        );
        return Response.json(error.toJSON(), { status: error.status });
      }
      return this.#hub.acceptSocket(session);
    }
    if (pathname === "/events") {
      const session = streamSessionOf(request);
      // Only the Worker's routes call this, always with the session: a bug, not a client error.
      if (!session) return new Response("the session of the stream is missing", { status: 400 });
      return this.#hub.openStream(session);
    }
    return new Response("not found", { status: 404 });
  }

  /**
   * Keeps a socket ticket (only its hash) until it expires. False (nothing kept) when the session was revoked
   * meanwhile.
   */
  async addTicket(ticketHash: string, ticket: Ticket): Promise<boolean> {
    if (await this.#hub.isRevoked(ticket.session)) return false;
    await this.#tickets.add(ticketHash, ticket);
    return true;
  }

  /**
   * These sessions ended (signed out, or beyond the per-user cap): their streams end and their unredeemed tickets are
   * forgotten.
   */
  async revokeSessions(tokenHashes: string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    const hashes = new Set(tokenHashes);
    await this.#hub.revoke(hashes);
    await this.#tickets.forgetSessions(hashes);
  }

  /** The watchdog: a run silent for LOCK_TTL_MS is asked whether it lives; a dead one loses the lock. */
  override async alarm(): Promise<void> {
    const lock = this.#lock;
    if (!lock) return;
    const now = Date.now();
    const watch = this.#watchMs();
    if (now - lock.heartbeatAt < watch) {
      await this.ctx.storage.setAlarm(lock.heartbeatAt + watch);
      return;
    }
    const verdict = await this.#instanceState(lock, now);
    if (verdict === "alive") {
      await this.ctx.storage.setAlarm(now + watch);
      return;
    }
    await this.#interrupt(lock, now);
  }

  /** What the Workflow of the lock's run says of it (watchdogVerdict); a stuck one is terminated. */
  async #instanceState(lock: Lock, now = Date.now()): Promise<"alive" | "stuck" | "dead"> {
    let instance: WorkflowInstance | null = null;
    let state: string | null = null;
    try {
      instance = await (lock.kind === "unstar" ? this.env.UNSTAR_WORKFLOW : this.env.SYNC_WORKFLOW).get(lock.runId);
      state = (await instance.status()).status;
    } catch {
      // Unknown instance: it never started or is long gone.
    }
    const verdict = watchdogVerdict(state, now - lock.heartbeatAt, configOf(this.env).syncStuckAfterMs);
    if (verdict === "stuck") {
      // Stopped so it cannot wake up later and write beside the next run (its steps are
      // idempotent, but two runs of one user must never interleave).
      await instance?.terminate().catch((error: unknown) => console.warn(`run ${lock.runId}: terminate failed`, error));
    }
    return verdict;
  }

  /** The lock's run died without a word: it is released with `sync_interrupted`, and its row says so. */
  async #interrupt(lock: Lock, now: number): Promise<void> {
    const event: SyncEvent = {
      event: "error",
      data: {
        code: "sync_interrupted",
        message: "The sync stopped without finishing. Nothing was lost; the next sync continues from what was saved.",
      },
    };
    this.#latest = event;
    await this.ctx.storage.put("latest", event);
    await this.#release(event);
    const db = createDb(this.env.DB);
    if (lock.kind === "unstar") {
      await db
        .update(unstarRuns)
        .set({ status: "stopped", finishedAt: new Date(now), error: event.data })
        .where(and(eq(unstarRuns.workflowId, lock.runId), eq(unstarRuns.status, "running")));
    } else {
      await db
        .update(syncRuns)
        .set({ status: "error", finishedAt: new Date(now), error: event.data })
        .where(and(eq(syncRuns.id, lock.runId), eq(syncRuns.status, "running")));
    }
    this.#hub.broadcast(event);
  }

  /** Account deletion: stop the running sync, forget everything, hang up on every listener. */
  async deleteAll(): Promise<void> {
    if (this.#lock) {
      try {
        const workflows = this.#lock.kind === "unstar" ? this.env.UNSTAR_WORKFLOW : this.env.SYNC_WORKFLOW;
        await (await workflows.get(this.#lock.runId)).terminate();
      } catch {
        // Already finished or never started: nothing to stop.
      }
    }
    this.#hub.endAll("The account was deleted.");
    this.#lock = null;
    this.#latest = null;
    this.#lastResult = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#hub.socketMessage(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.#hub.socketClosed(ws, code);
  }

  /** How often a held lock's silence is looked at: the TTL, or sooner when stuck runs are declared sooner. */
  #watchMs(): number {
    return Math.min(LOCK_TTL_MS, configOf(this.env).syncStuckAfterMs);
  }

  async #release(final: SyncEvent): Promise<void> {
    this.#lock = null;
    this.#lastResult =
      final.event === "done" ? { ok: true, ...(final.data as DoneData) } : { ok: false, ...(final.data as ErrorData) };
    await this.ctx.storage.delete("lock");
    await this.ctx.storage.put({ latest: final, lastResult: this.#lastResult });
    await this.ctx.storage.deleteAlarm();
  }
}

/**
 * What the watchdog makes of a silent run from the Workflow's word for it: alive (sleeping,
 * queued, or running and not yet silent for `stuckAfterMs`), stuck (running, and silent for
 * longer than any live run is), or dead (unknown, finished, failed or terminated).
 */
export function watchdogVerdict(
  state: string | null,
  silentMs: number,
  stuckAfterMs: number,
): "alive" | "stuck" | "dead" {
  if (state === "running") return silentMs >= stuckAfterMs ? "stuck" : "alive";
  return state && ALIVE.has(state) ? "alive" : "dead";
}
