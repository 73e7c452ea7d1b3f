import { browser } from "wxt/browser";
import { readSse, type SyncEvent } from "../../../shared/events";
import { api } from "@/lib/api";
import { MessageError } from "@/lib/messaging";
import { badgeText, nextOverall } from "@/lib/progress";
import {
  IDLE_SYNC_STATE,
  isConnected,
  readConnection,
  readSyncState,
  syncStateItem,
  type Connection,
  type SyncState,
} from "@/lib/storage";

// The sync is started and followed here, never in the popup: the popup may close at
// any moment, the background keeps reading the run's SSE stream (fetch + the shared
// SSE reader, the session in the Authorization header — never in a URL), mirrors each
// event into `local:syncState` (so a reopened popup draws the current phase at once)
// and onto the toolbar badge. When the stream drops, or the service worker wakes up
// after Chrome stopped it, it re-attaches with `GET /api/sync/events`.

const WATCH_ALARM = "starwise-sync-watch";
/** Chrome stops an idle MV3 service worker after 30 s; an extension API call resets that timer. */
const KEEPALIVE_MS = 20_000;
const MAX_REATTACH = 20;

export interface SyncDeps {
  /** Called when a run finished: the library changed. `runId`: which run (a replayed `done` says the same). */
  onDone?: (runId: string) => void | Promise<void>;
  /** Base delay between re-attach attempts (tests shorten it). */
  retryBaseMs?: number;
}

export function createSyncFollower(deps: SyncDeps = {}) {
  const retryBase = deps.retryBaseMs ?? 1000;
  let following: AbortController | null = null;

  const setState = async (patch: Partial<SyncState>) => {
    const next = { ...(await readSyncState()), ...patch };
    await syncStateItem.setValue(next);
    await showBadge(next);
    return next;
  };

  async function apply(event: SyncEvent): Promise<"final" | "progress"> {
    if (event.event === "progress") {
      const previous = await readSyncState();
      await setState({ running: true, progress: event.data, overall: nextOverall(previous.overall, event.data) });
      return "progress";
    }
    const finishedAt = Date.now();
    if (event.event === "done") {
      await setState({
        running: false,
        progress: null,
        overall: undefined,
        runId: event.data.runId,
        lastResult: { ...event.data, ok: true, finishedAt },
        // An unstar run (`unstar`) rides the sync's stream but is not a sync: the last sync's time stays.
        ...(event.data.unstar ? {} : { lastSyncedAt: new Date(finishedAt).toISOString() }),
      });
      await deps.onDone?.(event.data.runId);
    } else {
      await setState({
        running: false,
        progress: null,
        overall: undefined,
        lastResult: { ...event.data, ok: false, finishedAt },
      });
    }
    return "final";
  }

  /** Reads one stream to its end. True when the run reached `done`/`error`. */
  async function read(response: Response): Promise<boolean> {
    if (!response.body) return false;
    for await (const event of readSse(response.body)) {
      if ((await apply(event)) === "final") return true;
    }
    return false;
  }

  /** Asks the Worker how things stand and stores it; true when a run is going. */
  async function refreshStatus(connection: Connection): Promise<boolean> {
    const status = await api.syncStatus(connection);
    const previous = await readSyncState();
    const lastResult =
      status.lastResult && !status.running
        ? { ...status.lastResult, finishedAt: previous.lastResult?.finishedAt ?? Date.now() }
        : previous.lastResult;
    const progress = status.running ? (status.progress ?? previous.progress) : null;
    // Another run than the one shown: its percentage starts afresh.
    const shown = status.runId && status.runId === previous.runId ? previous.overall : undefined;
    await setState({
      running: status.running,
      runId: status.runId ?? previous.runId,
      progress,
      overall: status.running ? nextOverall(shown, progress) : undefined,
      lastSyncedAt: status.lastSyncedAt,
      nextSyncAt: status.nextSyncAt,
      library: status.library,
      lastResult,
    });
    return status.running;
  }

  /** Follows the run until it ends: the first stream from `open`, re-attaching on drops. */
  async function follow(connection: Connection, first: Response, controller: AbortController): Promise<void> {
    const keepalive = setInterval(() => void browser.runtime.getPlatformInfo(), KEEPALIVE_MS);
    await browser.alarms?.create(WATCH_ALARM, { periodInMinutes: 1 });
    try {
      let response: Response | null = first;
      for (let attempt = 0; attempt <= MAX_REATTACH && !controller.signal.aborted; attempt++) {
        try {
          if (!response) response = await api.syncEvents(connection, controller.signal);
          if (await read(response)) {
            // The Worker moved next_sync_at when the run finished: show the new time.
            await refreshStatus(connection).catch((error: unknown) =>
              console.warn("starwise: sync status after the run", error),
            );
            return;
          }
          // The stream ended without a final event: finished while we were away, or dropped.
          if (!(await refreshStatus(connection))) return;
          attempt = 0;
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof Error && error.name === "ZodError") {
            // An event this build does not understand (a newer Worker): re-attaching would
            // replay the same event forever. Say so and stop following.
            console.error("starwise: unexpected sync event", error);
            await setState({
              running: false,
              progress: null,
              lastResult: { ok: false, code: "bad_response", message: "Unexpected sync event", finishedAt: Date.now() },
            });
            return;
          }
          console.warn("starwise: sync stream dropped; re-attaching", error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, retryBase * 2 ** Math.min(attempt, 5))));
          // After a drop, ask first: the run may have finished meanwhile.
          try {
            if (!(await refreshStatus(connection))) return;
          } catch {
            // Still unreachable: the next attempt waits longer.
          }
        }
        response = null;
      }
    } finally {
      clearInterval(keepalive);
      if (following === controller) following = null;
      await browser.alarms?.clear(WATCH_ALARM);
    }
  }

  function spawn(connection: Connection, first: Response, controller: AbortController): void {
    void follow(connection, first, controller).catch((error: unknown) =>
      console.error("starwise: following the sync failed", error),
    );
  }

  return {
    /** Starts (or attaches to) a run; resolves once the Worker accepted, then follows it. */
    async start(): Promise<SyncState> {
      const connection = await readConnection();
      if (!isConnected(connection)) throw new MessageError("not_connected", "Sign in first.");
      if (following) return readSyncState();
      // Taken before the first await: a second click while the Worker answers joins this one.
      const controller = new AbortController();
      following = controller;
      const response = await api.startSync(connection, controller.signal).catch(async (error: unknown) => {
        following = null;
        if (error instanceof MessageError) {
          await setState({
            running: false,
            progress: null,
            lastResult: { ok: false, code: error.code, message: error.message, finishedAt: Date.now() },
          });
        }
        throw error;
      });
      const state = await setState({
        running: true,
        progress: null,
        overall: undefined,
        lastResult: (await readSyncState()).lastResult,
      });
      spawn(connection, response, controller);
      return state;
    },
    /** After the service worker (re)starts, or from the watch alarm: pick up a run we lost. */
    async resume(): Promise<void> {
      const connection = await readConnection();
      if (!isConnected(connection) || following) return;
      try {
        if (!(await refreshStatus(connection))) return;
        const controller = new AbortController();
        following = controller;
        spawn(connection, await api.syncEvents(connection, controller.signal), controller);
      } catch (error) {
        following = null;
        console.warn("starwise: could not re-attach to the sync", error);
      }
    },
    async state(): Promise<SyncState> {
      return readSyncState();
    },
    /** Sign-out: stop following and forget the account's sync state. */
    async reset(): Promise<void> {
      following?.abort();
      following = null;
      await syncStateItem.setValue(IDLE_SYNC_STATE);
      await showBadge(IDLE_SYNC_STATE);
    },
    get following() {
      return following !== null;
    },
    WATCH_ALARM,
  };
}
export type SyncFollower = ReturnType<typeof createSyncFollower>;

async function showBadge(state: SyncState): Promise<void> {
  const action = browser.action ?? (browser as unknown as { browserAction?: typeof browser.action }).browserAction;
  if (!action) return;
  try {
    if (state.running) {
      await action.setBadgeBackgroundColor({ color: "#1f6feb" });
      await action.setBadgeText({ text: badgeText(state.overall) });
    } else if (state.lastResult && !state.lastResult.ok) {
      await action.setBadgeBackgroundColor({ color: "#d1242f" });
      await action.setBadgeText({ text: "!" });
    } else {
      await action.setBadgeText({ text: "" });
    }
  } catch (error) {
    console.warn("starwise: badge not updated", error);
  }
}
