// The live streams of the user's sync (SSE and hibernating WebSockets), apart from the lock: who listens with which
// session, and how each stream ends (docs/architecture.md §5).
import { isFinal, sseFrame, type SyncEvent } from "../../shared/events";
import { StreamSession } from "../lib/sync-run";
import { chunks, deleteKeys, STORAGE_BATCH } from "./storage-batch";

/** SSE comment interval: keeps idle connections open through proxies. */
const KEEPALIVE_MS = 20_000;
/**
 * A revoked session is refused a new stream for this long: more than any request takes between its D1 check and this
 * object.
 */
const REVOKED_MEMORY_MS = 5 * 60_000;
/** WebSocket close code for "your session ended" (4000–4999 are the application's; 4401 echoes HTTP 401). */
export const SESSION_ENDED_CLOSE = 4401;

const SESSION_EXPIRED = "Your session has expired: sign in again.";
const SESSION_ENDED = "This session has ended (signed out, or replaced by newer sign-ins): sign in again.";

const encoder = new TextEncoder();
const revokedKey = (tokenHash: string) => `revoked:${tokenHash}`;
const sessionTag = (tokenHash: string) => `session:${tokenHash}`;

const sseHeaders = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  "X-Accel-Buffering": "no",
} as const;

/** What the hub reads of the run, when a stream opens: the event to replay first, and whether more will come. */
export type RunView = { latest(): SyncEvent | null; running(): boolean };

/**
 * The broadcaster of a user's sync progress. A subscriber gets the run's latest event first
 * (a popup reopened mid-sync sees the current state at once), then every event of the run
 * (SSE) or of all runs (WebSocket). Every stream belongs to the session that opened it
 * (`StreamSession`): its revocation (`revoke`), the account's deletion (`endAll`) and the
 * session's expiry end it, with a last `error` event of code `unauthorized` so the client
 * knows to sign in again.
 */
export class StreamHub {
  readonly #ctx: DurableObjectState;
  readonly #run: RunView;
  /**
   * Open SSE streams and the session each belongs to; sockets are the runtime's (`getWebSockets`), so they survive
   * hibernation.
   */
  #streams = new Map<WritableStreamDefaultWriter<Uint8Array>, StreamSession>();
  #keepalive: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: DurableObjectState, run: RunView) {
    this.#ctx = ctx;
    this.#run = run;
  }

  /** An SSE stream for this session: the latest event, then the current run's until it ends. */
  async openStream(session: StreamSession): Promise<Response> {
    if (await this.isRevoked(session)) return endedStream(SESSION_ENDED);
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const latest = this.#run.latest();
    if (latest) void writer.write(encoder.encode(sseFrame(latest))).catch(() => undefined);
    if (this.#run.running()) {
      this.#streams.set(writer, session);
      this.#updateKeepalive();
    } else {
      // Nothing running: the replayed final event (if any) is all there is to say.
      if (!latest) void writer.write(encoder.encode(": idle\n\n")).catch(() => undefined);
      void writer.close().catch(() => undefined);
    }
    return new Response(readable, { headers: sseHeaders });
  }

  /** Accepts a socket for a session already authorised (its ticket redeemed, not revoked), the latest event first. */
  acceptSocket(session: StreamSession): Response {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    // Hibernation API: the object may sleep between events without dropping the socket; the
    // tag finds a session's sockets on sign-out, the attachment survives hibernation.
    this.#ctx.acceptWebSocket(server, [sessionTag(session.tokenHash)]);
    server.serializeAttachment(session);
    const latest = this.#run.latest();
    if (latest) server.send(JSON.stringify(latest));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends the event to every stream; a final one ends the SSE streams (sockets listen to all runs). */
  broadcast(event: SyncEvent): void {
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
    for (const ws of this.#ctx.getWebSockets()) {
      if (this.#socketExpired(ws, now)) continue;
      try {
        ws.send(message);
      } catch {
        // Closed while we were sending: nothing to deliver.
      }
    }
    this.#updateKeepalive();
  }

  /**
   * These sessions ended: their streams end, and for REVOKED_MEMORY_MS they are remembered
   * as revoked, so a request that passed its session check in D1 just before the row went
   * cannot open a stream a moment after this.
   */
  async revoke(tokenHashes: ReadonlySet<string>): Promise<void> {
    const now = Date.now();
    const storage = this.#ctx.storage;
    const remembered = await storage.list<number>({ prefix: "revoked:" });
    await deleteKeys(
      storage,
      [...remembered].filter(([, until]) => until <= now).map(([key]) => key),
    );
    for (const chunk of chunks([...tokenHashes], STORAGE_BATCH)) {
      await storage.put(Object.fromEntries(chunk.map((hash) => [revokedKey(hash), now + REVOKED_MEMORY_MS])));
    }
    for (const [writer, session] of this.#streams) {
      if (tokenHashes.has(session.tokenHash)) this.#endStream(writer, SESSION_ENDED);
    }
    for (const hash of tokenHashes) {
      for (const ws of this.#ctx.getWebSockets(sessionTag(hash))) this.#endSocket(ws, SESSION_ENDED);
    }
    this.#updateKeepalive();
  }

  async isRevoked(session: StreamSession): Promise<boolean> {
    const until = await this.#ctx.storage.get<number>(revokedKey(session.tokenHash));
    return until !== undefined && until > Date.now();
  }

  /** Ends every stream of every session with this message. */
  endAll(message: string): void {
    for (const ws of this.#ctx.getWebSockets()) this.#endSocket(ws, message);
    for (const writer of this.#streams.keys()) this.#endStream(writer, message);
    this.#updateKeepalive();
  }

  /** The object's `webSocketMessage`. */
  socketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if (this.#socketExpired(ws, Date.now())) return;
    // Clients may ping to keep NATs open; nothing else is expected from them.
    if (message === "ping") ws.send("pong");
  }

  /**
   * The object's `webSocketClose`: completes the close handshake (1005, no code given, is not one a server may send).
   */
  socketClosed(ws: WebSocket, code: number): void {
    ws.close(code === 1005 ? 1000 : code, "closing");
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

/** A stream that says only that the session has ended. */
function endedStream(message: string): Response {
  const goodbye: SyncEvent = { event: "error", data: { code: "unauthorized", message } };
  return new Response(sseFrame(goodbye), { headers: sseHeaders });
}
