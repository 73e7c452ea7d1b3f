import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { SyncTicket } from "../../shared/api";
import { readSse, type SyncEvent } from "../../shared/events";
import type { UserSync } from "../durable-objects/user-sync";
import { userSync } from "../lib/sync-run";
import { BASE, env, workerFetch } from "./helpers";

// Live streams in tests: a run that holds the user's lock without a Workflow behind it (so
// the test publishes its events), SSE readers and ticketed WebSockets.

/** Makes `runId` the user's running sync, as if a Workflow had started it. */
export async function holdLock(userId: number, runId: string) {
  const stub = userSync(env, userId);
  await runInDurableObject(stub, async (_instance: UserSync, state) => {
    await state.storage.put("lock", { runId, trigger: "manual", startedAt: Date.now(), heartbeatAt: Date.now() });
  });
  // Evicted: it comes back with the lock from storage.
  await evictDurableObject(stub);
  return stub;
}

export const progress = (listed: number): SyncEvent => ({ event: "progress", data: { phase: "fetching", listed } });

/** `POST /api/sync/ticket`. */
export async function ticketFor(sessionToken: string): Promise<SyncTicket> {
  const response = await workerFetch(`${BASE}/api/sync/ticket`, {
    method: "POST",
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return SyncTicket.parse(await response.json());
}

export function upgrade(query: string, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request(`${BASE}/api/sync/ws${query}`, { headers: { Upgrade: "websocket", ...headers } }),
  );
}

export type OpenSocket = {
  ws: WebSocket;
  events: SyncEvent[];
  /** Resolves with the close code when the server closes the socket. */
  closed: Promise<number>;
  /** Resolves once `count` events have arrived. */
  received(count: number): Promise<SyncEvent[]>;
};

/** A WebSocket of this session's sync events, opened the way a browser client does it (ticket first). */
export async function openSocket(sessionToken: string): Promise<OpenSocket> {
  const { ticket } = await ticketFor(sessionToken);
  const response = await upgrade(`?ticket=${ticket}`);
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  ws.accept();
  const events: SyncEvent[] = [];
  const waiters: Array<() => void> = [];
  ws.addEventListener("message", (message) => {
    events.push(JSON.parse(String(message.data)) as SyncEvent);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (event) => resolve(event.code)));
  const received = async (count: number) => {
    while (events.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return events.slice(0, count);
  };
  return { ws, events, closed, received };
}

export type OpenStream = {
  events: SyncEvent[];
  /** Resolves when the server ends the stream, with every event it sent. */
  ended: Promise<SyncEvent[]>;
  received(count: number): Promise<SyncEvent[]>;
};

/** `GET /api/sync/events`, read in the background until the server ends it. */
export async function openStream(sessionToken: string): Promise<OpenStream> {
  const response = await workerFetch(`${BASE}/api/sync/events`, {
    headers: { Authorization: `Bearer ${sessionToken}` },
  });
  expect(response.status).toBe(200);
  const events: SyncEvent[] = [];
  const waiters: Array<() => void> = [];
  let finished = false;
  const ended = (async () => {
    for await (const event of readSse(response.body!)) {
      events.push(event);
      for (const wake of waiters.splice(0)) wake();
    }
    finished = true;
    for (const wake of waiters.splice(0)) wake();
    return events;
  })();
  const received = async (count: number) => {
    while (events.length < count && !finished) await new Promise<void>((wake) => waiters.push(wake));
    return events.slice(0, count);
  };
  return { events, ended, received };
}
