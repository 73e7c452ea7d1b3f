import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { isFinal, sseFrame, type DoneData, type ErrorData, type SyncEvent, type SyncStatus } from "../../shared/events";
import { createDb } from "../db/client";
import { syncRuns } from "../db/schema";
import type { Bindings } from "../env";
import type { SyncParams } from "../lib/sync-run";

type Lock = { runId: string; trigger: SyncParams["trigger"]; startedAt: number; heartbeatAt: number };
type LastResult = NonNullable<SyncStatus["lastResult"]>;

/** A run that has said nothing for this long is asked whether it still lives. */
export const LOCK_TTL_MS = 10 * 60_000;
/** SSE comment interval: keeps idle connections open through proxies. */
const KEEPALIVE_MS = 20_000;
/** Workflow states in which a quiet run is still alive (e.g. sleeping until a rate limit resets). */
const ALIVE = new Set(["queued", "running", "waiting", "paused", "waitingForPause"]);

const encoder = new TextEncoder();


/**
 * One per user: the sync lock (one run at a time; a second trigger attaches) and the
 * broadcaster of its progress over SSE and hibernating WebSockets (docs/architecture.md §6–7). The
 * latest event is kept so a late subscriber (a popup reopened mid-sync) sees the
 * current state at once. A run that dies without finishing is found by the alarm.
 */
export class UserSync extends DurableObject<Bindings> {
  #lock: Lock | null = null;
  #latest: SyncEvent | null = null;
  #lastResult: LastResult | null = null;
  #streams = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #keepalive: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    // Restore before the first request; hibernation and eviction lose memory, not storage.
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<Lock | SyncEvent | LastResult>(["lock", "latest", "lastResult"]);
      this.#lock = (stored.get("lock") as Lock | undefined) ?? null;
      this.#latest = (stored.get("latest") as SyncEvent | undefined) ?? null;
      this.#lastResult = (stored.get("lastResult") as LastResult | undefined) ?? null;
      // A held lock always has its watchdog, whatever happened to the alarm before.
      if (this.#lock && (await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + LOCK_TTL_MS);
    });
  }

  /** Starts a run, or attaches to the one that holds the lock. Never creates two. */
  async startOrAttach(params: SyncParams): Promise<{ runId: string; attached: boolean }> {
    if (this.#lock) return { runId: this.#lock.runId, attached: true };
    const now = Date.now();
    const lock: Lock = { runId: crypto.randomUUID(), trigger: params.trigger, startedAt: now, heartbeatAt: now };
    // Taken in memory before the first await: a concurrent trigger that runs while we
    // wait on storage or on the Workflow sees it and attaches.
    this.#lock = lock;
    this.#latest = null;
    try {
      await this.ctx.storage.put("lock", lock);
      await this.ctx.storage.delete("latest");
      await this.ctx.storage.setAlarm(now + LOCK_TTL_MS);
      await this.env.SYNC_WORKFLOW.create({ id: lock.runId, params });
    } catch (error) {
      this.#lock = null;
      await this.ctx.storage.delete("lock");
      throw error;
    }
    return { runId: lock.runId, attached: false };
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
        await this.ctx.storage.setAlarm(now + LOCK_TTL_MS);
      }
    }
    this.#broadcast(event);
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
    if (pathname === "/ws") return this.#acceptWebSocket(request);
    if (pathname === "/events") return this.#eventStream();
    return new Response("not found", { status: 404 });
  }

  /** The watchdog: a run silent for LOCK_TTL_MS is asked whether it lives; a dead one loses the lock. */
  override async alarm(): Promise<void> {
    const lock = this.#lock;
    if (!lock) return;
    const now = Date.now();
    if (now - lock.heartbeatAt < LOCK_TTL_MS) {
      await this.ctx.storage.setAlarm(lock.heartbeatAt + LOCK_TTL_MS);
      return;
    }
    let state: string | null = null;
    try {
      state = (await (await this.env.SYNC_WORKFLOW.get(lock.runId)).status()).status;
    } catch {
      // Unknown instance: it never started or is long gone.
    }
    if (state && ALIVE.has(state)) {
      await this.ctx.storage.setAlarm(now + LOCK_TTL_MS);
      return;
    }
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
    await createDb(this.env.DB)
      .update(syncRuns)
      .set({ status: "error", finishedAt: new Date(now), error: event.data })
      .where(and(eq(syncRuns.id, lock.runId), eq(syncRuns.status, "running")));
    this.#broadcast(event);
  }

  /** Account deletion: stop the running sync, forget everything, hang up on every listener. */
  async deleteAll(): Promise<void> {
    if (this.#lock) {
      try {
        await (await this.env.SYNC_WORKFLOW.get(this.#lock.runId)).terminate();
      } catch {
        // Already finished or never started: nothing to stop.
      }
    }
    for (const ws of this.ctx.getWebSockets()) ws.close(1000, "account deleted");
    for (const writer of this.#streams) void writer.close().catch(() => undefined);
    this.#streams.clear();
    this.#lock = null;
    this.#latest = null;
    this.#lastResult = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    // Clients may ping to keep NATs open; nothing else is expected from them.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  async #release(final: SyncEvent): Promise<void> {
    this.#lock = null;
    this.#lastResult =
      final.event === "done"
        ? { ok: true, ...(final.data as DoneData) }
        : { ok: false, ...(final.data as ErrorData) };
    await this.ctx.storage.delete("lock");
    await this.ctx.storage.put({ latest: final, lastResult: this.#lastResult });
    await this.ctx.storage.deleteAlarm();
  }

  #broadcast(event: SyncEvent): void {
    const frame = encoder.encode(sseFrame(event));
    for (const writer of this.#streams) {
      writer.write(frame).catch(() => this.#streams.delete(writer));
      if (isFinal(event)) {
        void writer.close().catch(() => undefined);
        this.#streams.delete(writer);
      }
    }
    const message = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message);
      } catch {
        // Closed while we were sending: nothing to deliver.
      }
    }
    this.#updateKeepalive();
  }

  #eventStream(): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const latest = this.#latest;
    if (latest) void writer.write(encoder.encode(sseFrame(latest))).catch(() => undefined);
    if (this.#lock) {
      this.#streams.add(writer);
      this.#updateKeepalive();
    } else {
      // Nothing running: the replayed final event (if any) is all there is to say.
      if (!latest) void writer.write(encoder.encode(": idle\n\n")).catch(() => undefined);
      void writer.close().catch(() => undefined);
    }
    return new Response(readable, { headers: sseHeaders });
  }

  #acceptWebSocket(request: Request): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    // Hibernation API: the object may sleep between events without dropping the socket.
    this.ctx.acceptWebSocket(server);
    if (this.#latest) server.send(JSON.stringify(this.#latest));
    return new Response(null, { status: 101, webSocket: client });
  }

  #updateKeepalive(): void {
    if (this.#streams.size > 0 && !this.#keepalive) {
      this.#keepalive = setInterval(() => {
        const ping = encoder.encode(": keep-alive\n\n");
        for (const writer of this.#streams) writer.write(ping).catch(() => this.#streams.delete(writer));
      }, KEEPALIVE_MS);
    } else if (this.#streams.size === 0 && this.#keepalive) {
      clearInterval(this.#keepalive);
      this.#keepalive = null;
    }
  }
}

export const sseHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  "X-Accel-Buffering": "no",
} as const;
