import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { isFinal, sseFrame, type DoneData, type ErrorData, type SyncEvent, type SyncStatus } from "../../shared/events";
import { configOf } from "../config";
import { createDb } from "../db/client";
import { syncRuns } from "../db/schema";
import type { Bindings } from "../env";
import { ApiError } from "../lib/errors";
import { StreamSession, streamSessionOf, ticketHashOf, type SyncParams } from "../lib/sync-run";

type Lock = { runId: string; trigger: SyncParams["trigger"]; startedAt: number; heartbeatAt: number };
type LastResult = NonNullable<SyncStatus["lastResult"]>;

/** A run that has said nothing for this long is asked whether it still lives. */
export const LOCK_TTL_MS = 10 * 60_000;
/** SSE comment interval: keeps idle connections open through proxies. */
const KEEPALIVE_MS = 20_000;
/**
 * Workflow states in which a quiet run is still alive (e.g. sleeping until a rate limit resets),
 * "running" only until the config's `syncStuckAfterMs` of silence: then the instance is stuck (a
 * local runtime restarted under it does not resume it) and would otherwise hold the lock forever.
 */
const ALIVE = new Set(["queued", "running", "waiting", "paused", "waitingForPause"]);

/** A revoked session is refused a new stream for this long: more than any request takes between its D1 check and this object. */
const REVOKED_MEMORY_MS = 5 * 60_000;
/** Keys per storage `put`/`delete` call (developers.cloudflare.com/durable-objects/api/storage-api). */
const STORAGE_BATCH = 128;
/** At most this many unredeemed socket tickets per user; the oldest go first. */
const MAX_TICKETS = 20;
/** WebSocket close code for "your session ended" (4000–4999 are the application's; 4401 echoes HTTP 401). */
export const SESSION_ENDED_CLOSE = 4401;

const encoder = new TextEncoder();
const ticketKey = (hash: string) => `ticket:${hash}`;
const revokedKey = (tokenHash: string) => `revoked:${tokenHash}`;
const sessionTag = (tokenHash: string) => `session:${tokenHash}`;

type Ticket = { session: StreamSession; expiresAt: number };

/**
 * One per user: the sync lock (one run at a time; a second trigger attaches) and the
 * broadcaster of its progress over SSE and hibernating WebSockets (docs/architecture.md §6–7). The
 * latest event is kept so a late subscriber (a popup reopened mid-sync) sees the
 * current state at once. A run that dies without finishing is found by the alarm.
 *
 * Every stream belongs to the session that opened it (`StreamSession`): signing out
 * (`revokeSessions`), deleting the account (`deleteAll`) and the session's expiry end it,
 * with a last `error` event of code `unauthorized` so the client knows to sign in again.
 * Socket tickets (`addTicket`) live here rather than in D1: the socket they open is
 * accepted here, so redeeming one is a single step of this single-threaded object (single
 * use without a transaction), costs no D1 write, and a revoked session's tickets go with
 * its streams in the same call.
 */
export class UserSync extends DurableObject<Bindings> {
  #lock: Lock | null = null;
  #latest: SyncEvent | null = null;
  #lastResult: LastResult | null = null;
  /** Open SSE streams and the session each belongs to. */
  #streams = new Map<WritableStreamDefaultWriter<Uint8Array>, StreamSession>();
  #keepalive: ReturnType<typeof setInterval> | null = null;

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
        if (alarm === null || alarm > due) await ctx.storage.setAlarm(alarm === null ? Date.now() + this.#watchMs() : due);
      }
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
      await this.ctx.storage.setAlarm(now + this.#watchMs());
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
        await this.ctx.storage.setAlarm(now + this.#watchMs());
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
    if (pathname === "/events") {
      const session = streamSessionOf(request);
      // Only the Worker's routes call this, always with the session: a bug, not a client error.
      if (!session) return new Response("the session of the stream is missing", { status: 400 });
      if (await this.#isRevoked(session)) return this.#endedStream(SESSION_ENDED);
      return this.#eventStream(session);
    }
    return new Response("not found", { status: 404 });
  }

  /**
   * Keeps a socket ticket (only its hash) until it expires. Expired tickets are dropped
   * here, and beyond MAX_TICKETS the oldest: tickets are cheap to ask for. False (nothing
   * kept) when the session was revoked meanwhile.
   */
  async addTicket(ticketHash: string, ticket: Ticket): Promise<boolean> {
    if (await this.#isRevoked(ticket.session)) return false;
    const now = Date.now();
    const stored = [...(await this.ctx.storage.list<Ticket>({ prefix: "ticket:" })).entries()];
    const gone = stored.filter(([, t]) => t.expiresAt <= now).map(([key]) => key);
    const live = stored.filter(([, t]) => t.expiresAt > now).sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
    gone.push(...live.slice(0, Math.max(0, live.length - (MAX_TICKETS - 1))).map(([key]) => key));
    await this.#deleteKeys(gone);
    await this.ctx.storage.put(ticketKey(ticketHash), ticket);
    return true;
  }

  /**
   * These sessions ended (signed out, or beyond the per-user cap): their streams end, their
   * unredeemed tickets are forgotten, and for REVOKED_MEMORY_MS they are remembered as
   * revoked, so a request that passed its session check in D1 just before the row went
   * cannot open a stream a moment after this.
   */
  async revokeSessions(tokenHashes: string[]): Promise<void> {
    if (tokenHashes.length === 0) return;
    const now = Date.now();
    const hashes = new Set(tokenHashes);
    const remembered = await this.ctx.storage.list<number>({ prefix: "revoked:" });
    await this.#deleteKeys([...remembered].filter(([, until]) => until <= now).map(([key]) => key));
    for (const chunk of chunks([...hashes], STORAGE_BATCH)) {
      await this.ctx.storage.put(Object.fromEntries(chunk.map((hash) => [revokedKey(hash), now + REVOKED_MEMORY_MS])));
    }
    for (const [writer, session] of this.#streams) {
      if (hashes.has(session.tokenHash)) this.#endStream(writer, SESSION_ENDED);
    }
    for (const hash of hashes) {
      for (const ws of this.ctx.getWebSockets(sessionTag(hash))) this.#endSocket(ws, SESSION_ENDED);
    }
    const tickets = await this.ctx.storage.list<Ticket>({ prefix: "ticket:" });
    await this.#deleteKeys([...tickets].filter(([, t]) => hashes.has(t.session.tokenHash)).map(([key]) => key));
    this.#updateKeepalive();
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
    let instance: WorkflowInstance | null = null;
    let state: string | null = null;
    try {
      instance = await this.env.SYNC_WORKFLOW.get(lock.runId);
      state = (await instance.status()).status;
    } catch {
      // Unknown instance: it never started or is long gone.
    }
    const verdict = watchdogVerdict(state, now - lock.heartbeatAt, configOf(this.env).syncStuckAfterMs);
    if (verdict === "alive") {
      await this.ctx.storage.setAlarm(now + watch);
      return;
    }
    if (verdict === "stuck") {
      // Stopped so it cannot wake up later and write beside the next run (its steps are
      // idempotent, but two runs of one user must never interleave).
      await instance?.terminate().catch((error: unknown) => console.warn(`run ${lock.runId}: terminate failed`, error));
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
    for (const ws of this.ctx.getWebSockets()) this.#endSocket(ws, "The account was deleted.");
    for (const writer of this.#streams.keys()) this.#endStream(writer, "The account was deleted.");
    this.#updateKeepalive();
    this.#lock = null;
    this.#latest = null;
    this.#lastResult = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (this.#socketExpired(ws, Date.now())) return;
    // Clients may ping to keep NATs open; nothing else is expected from them.
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closing");
  }

  /** How often a held lock's silence is looked at: the TTL, or sooner when stuck runs are declared sooner. */
  #watchMs(): number {
    return Math.min(LOCK_TTL_MS, configOf(this.env).syncStuckAfterMs);
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
    const now = Date.now();
    const frame = encoder.encode(sseFrame(event));
    for (const [writer, session] of this.#streams) {
      // An expired session's stream ends at the next event instead of receiving it.
      if (session.expiresAt <= now) {
        this.#endStream(writer, SESSION_EXPIRED);
        continue;
      }
      writer.write(frame).catch(() => this.#streams.delete(writer));
      if (isFinal(event)) {
        void writer.close().catch(() => undefined);
        this.#streams.delete(writer);
      }
    }
    const message = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) {
      if (this.#socketExpired(ws, now)) continue;
      try {
        ws.send(message);
      } catch {
        // Closed while we were sending: nothing to deliver.
      }
    }
    this.#updateKeepalive();
  }

  /** A last `error` event (code `unauthorized`), then the end of this SSE stream. */
  #endStream(writer: WritableStreamDefaultWriter<Uint8Array>, message: string): void {
    this.#streams.delete(writer);
    const goodbye: SyncEvent = { event: "error", data: { code: "unauthorized", message } };
    void writer.write(encoder.encode(sseFrame(goodbye))).catch(() => undefined);
    void writer.close().catch(() => undefined);
  }

  /** The same for a socket: the event, then close code 4401. */
  #endSocket(ws: WebSocket, message: string): void {
    try {
      ws.send(JSON.stringify({ event: "error", data: { code: "unauthorized", message } } satisfies SyncEvent));
      ws.close(SESSION_ENDED_CLOSE, "session ended");
    } catch {
      // Already closing: nothing left to tell it.
    }
  }

  /** Ends the socket when its session has expired; true when it did. */
  #socketExpired(ws: WebSocket, now: number): boolean {
    const session = StreamSession.safeParse(ws.deserializeAttachment());
    // A socket without a readable session (none are accepted so) is treated as expired.
    if (session.success && session.data.expiresAt > now) return false;
    this.#endSocket(ws, SESSION_EXPIRED);
    return true;
  }

  async #isRevoked(session: StreamSession): Promise<boolean> {
    const until = await this.ctx.storage.get<number>(revokedKey(session.tokenHash));
    return until !== undefined && until > Date.now();
  }

  /** `storage.delete` takes at most 128 keys a call. */
  async #deleteKeys(keys: string[]): Promise<void> {
    for (const chunk of chunks(keys, STORAGE_BATCH)) await this.ctx.storage.delete(chunk);
  }

  /** A stream that says only that the session has ended. */
  #endedStream(message: string): Response {
    const goodbye: SyncEvent = { event: "error", data: { code: "unauthorized", message } };
    return new Response(sseFrame(goodbye), { headers: sseHeaders });
  }

  #eventStream(session: StreamSession): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const latest = this.#latest;
    if (latest) void writer.write(encoder.encode(sseFrame(latest))).catch(() => undefined);
    if (this.#lock) {
      this.#streams.set(writer, session);
      this.#updateKeepalive();
    } else {
      // Nothing running: the replayed final event (if any) is all there is to say.
      if (!latest) void writer.write(encoder.encode(": idle\n\n")).catch(() => undefined);
      void writer.close().catch(() => undefined);
    }
    return new Response(readable, { headers: sseHeaders });
  }

  /**
   * Redeems the ticket and accepts the socket for the ticket's session. Single use: the
   * object's input gate holds other requests while the ticket is read, and it is deleted in
   * the same turn, so a second redemption finds nothing.
   */
  async #acceptWebSocket(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const hash = ticketHashOf(request);
    const ticket = hash ? await this.ctx.storage.get<Ticket>(ticketKey(hash)) : undefined;
    if (hash && ticket) await this.ctx.storage.delete(ticketKey(hash));
    const now = Date.now();
    if (!ticket || ticket.expiresAt <= now || ticket.session.expiresAt <= now || (await this.#isRevoked(ticket.session))) {
      const error = new ApiError("unauthorized", "The ticket is unknown, used or expired: ask POST /api/sync/ticket for a new one");
      return Response.json(error.toJSON(), { status: error.status });
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    // Hibernation API: the object may sleep between events without dropping the socket; the
    // tag finds a session's sockets on sign-out, the attachment survives hibernation.
    this.ctx.acceptWebSocket(server, [sessionTag(ticket.session.tokenHash)]);
    server.serializeAttachment(ticket.session);
    if (this.#latest) server.send(JSON.stringify(this.#latest));
    return new Response(null, { status: 101, webSocket: client });
  }

  #updateKeepalive(): void {
    if (this.#streams.size > 0 && !this.#keepalive) {
      this.#keepalive = setInterval(() => {
        const now = Date.now();
        const ping = encoder.encode(": keep-alive\n\n");
        for (const [writer, session] of this.#streams) {
          // An expired session's stream ends within one keep-alive of its expiry.
          if (session.expiresAt <= now) this.#endStream(writer, SESSION_EXPIRED);
          else writer.write(ping).catch(() => this.#streams.delete(writer));
        }
        this.#updateKeepalive();
      }, KEEPALIVE_MS);
    } else if (this.#streams.size === 0 && this.#keepalive) {
      clearInterval(this.#keepalive);
      this.#keepalive = null;
    }
  }
}

const SESSION_EXPIRED = "Your session has expired: sign in again.";
const SESSION_ENDED = "This session has ended (signed out, or replaced by newer sign-ins): sign in again.";

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const sseHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  "X-Accel-Buffering": "no",
} as const;

/**
 * What the watchdog makes of a silent run from the Workflow's word for it: alive (sleeping,
 * queued, or running and not yet silent for `stuckAfterMs`), stuck (running, and silent for
 * longer than any live run is), or dead (unknown, finished, failed or terminated).
 */
export function watchdogVerdict(state: string | null, silentMs: number, stuckAfterMs: number): "alive" | "stuck" | "dead" {
  if (state === "running") return silentMs >= stuckAfterMs ? "stuck" : "alive";
  return state && ALIVE.has(state) ? "alive" : "dead";
}
