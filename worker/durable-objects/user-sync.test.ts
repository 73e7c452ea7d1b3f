import {
  createExecutionContext,
  createScheduledController,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readSse, SyncStatus, type SyncEvent } from "../../shared/events";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { collect, doneOf, fastWorkflows, syncOnce } from "../test/sync-helpers";
import worker from "../index";
import { sha256Hex } from "../lib/crypto";
import { eventsRequest, userSync } from "../lib/sync-run";
import { holdLock, openSocket, openStream, progress } from "../test/streams";
import { LOCK_TTL_MS, UserSync, watchdogVerdict } from "./user-sync";
import { SESSION_ENDED_CLOSE } from "./stream-hub";
import { configOf } from "../config";

describe("the per-user lock", () => {
  it("ten simultaneous triggers make one run, and all ten streams see it finish", async () => {
    await using introspector = await fastWorkflows();
    const { sessionToken } = await signIn("lock-ten", 120);
    const streams = await Promise.all(Array.from({ length: 10 }, () => syncOnce(sessionToken)));
    const runIds = new Set(streams.map((events) => doneOf(events).runId));
    expect(runIds.size).toBe(1);
    expect(await introspector.get()).toHaveLength(1);
    for (const events of streams) expect(doneOf(events).total).toBe(120);
  });

  it("a second trigger attaches (JSON mode) instead of starting another run", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("lock-json", 20);
    const post = () =>
      workerFetch(`${BASE}/api/repositories/sync`, {
        method: "POST",
        headers: { Authorization: `Bearer ${sessionToken}`, Accept: "application/json" },
      });
    const [a, b] = await Promise.all([post(), post()]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    const [first, second] = [
      (await a.json()) as { runId: string; attached: boolean },
      (await b.json()) as { runId: string; attached: boolean },
    ];
    expect(first.runId).toBe(second.runId);
    expect([first.attached, second.attached].sort()).toEqual([false, true]);
    const events = await collect(
      await workerFetch(`${BASE}/api/sync/events`, { headers: { Authorization: `Bearer ${sessionToken}` } }),
    );
    expect(doneOf(events).runId).toBe(first.runId);
  });

  it("a crashed run's lock expires by alarm, and the next trigger starts afresh", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("lock-crash", 10);
    const stub = userSync(env, user.id);
    // A run that took the lock and died without a word (no Workflow instance behind it).
    await runInDurableObject(stub, async (_instance: UserSync, state) => {
      await state.storage.put("lock", {
        runId: "dead-run",
        trigger: "auto",
        startedAt: 0,
        heartbeatAt: Date.now() - LOCK_TTL_MS - 1,
      });
    });
    await env.DB.prepare(
      "insert into sync_runs (id, user_id, trigger, status, started_at) values ('dead-run', ?, 'auto', 'running', 0)",
    )
      .bind(user.id)
      .run();
    // Evicted: the object comes back with only what it stored, as after a crash.
    await evictDurableObject(stub);
    expect((await stub.status()).running).toBe(true);
    expect((await stub.startOrAttach({ userId: user.id, trigger: "manual" })).runId).toBe("dead-run");

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await stub.status();
    expect(status.running).toBe(false);
    expect(status.lastResult).toMatchObject({ ok: false, code: "sync_interrupted" });
    // The run's record says how it ended.
    const run = await env.DB.prepare("select status, finished_at, error from sync_runs where id = 'dead-run'").first<{
      status: string;
      finished_at: number;
      error: string;
    }>();
    expect(run?.status).toBe("error");
    expect(run?.finished_at).toBeGreaterThan(0);
    expect(JSON.parse(run!.error)).toMatchObject({ code: "sync_interrupted" });

    const events = await syncOnce(sessionToken);
    expect(doneOf(events).runId).not.toBe("dead-run");
  });

  it("keeps the lock of a run that is quiet but alive", async () => {
    const { user } = await signIn("lock-alive", 1);
    const stub = userSync(env, user.id);
    await runInDurableObject(stub, async (_instance: UserSync, state) => {
      await state.storage.put("lock", {
        runId: "sleeping-run",
        trigger: "auto",
        startedAt: 0,
        heartbeatAt: Date.now() - LOCK_TTL_MS - 1,
      });
    });
    await evictDurableObject(stub);
    // The Workflow says the instance is waiting (e.g. sleeping until a rate limit resets).
    const realGet = env.SYNC_WORKFLOW.get.bind(env.SYNC_WORKFLOW);
    const { vi } = await import("vitest");
    const spy = vi
      .spyOn(env.SYNC_WORKFLOW, "get")
      .mockImplementation(async (id: string) =>
        id === "sleeping-run"
          ? ({ id, status: async () => ({ status: "waiting" }) } as unknown as WorkflowInstance)
          : realGet(id),
      );
    try {
      await runDurableObjectAlarm(stub);
      expect((await stub.status()).running).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("the watchdog and a run that is stuck", () => {
  const stuckAfter = configOf(env).syncStuckAfterMs;

  it(
    "calls a run alive while it sleeps or is queued, stuck only when running and silent past the bound, " +
      "dead otherwise",
    () => {
      expect(watchdogVerdict("waiting", 10 * stuckAfter, stuckAfter)).toBe("alive");
      expect(watchdogVerdict("queued", 10 * stuckAfter, stuckAfter)).toBe("alive");
      expect(watchdogVerdict("running", LOCK_TTL_MS, stuckAfter)).toBe("alive");
      expect(watchdogVerdict("running", stuckAfter, stuckAfter)).toBe("stuck");
      for (const state of ["complete", "errored", "terminated", "unknown", null])
        expect(watchdogVerdict(state, LOCK_TTL_MS, stuckAfter)).toBe("dead");
    },
  );

  it(
    "a run still 'running' after hours of silence (a runtime that never resumed it) " + "is stopped and loses the lock",
    async () => {
      await using _ = await fastWorkflows();
      const { sessionToken, user } = await signIn("lock-stuck", 3);
      const stub = userSync(env, user.id);
      for (const [silentFor, keeps] of [
        [LOCK_TTL_MS + 1, true],
        [stuckAfter + 1, false],
      ] as const) {
        await runInDurableObject(stub, async (_instance: UserSync, state) => {
          await state.storage.put("lock", {
            runId: "stuck-run",
            trigger: "auto",
            startedAt: 0,
            heartbeatAt: Date.now() - silentFor,
          });
        });
        await evictDurableObject(stub);
        const terminated: string[] = [];
        const realGet = env.SYNC_WORKFLOW.get.bind(env.SYNC_WORKFLOW);
        const { vi } = await import("vitest");
        const spy = vi.spyOn(env.SYNC_WORKFLOW, "get").mockImplementation(async (id: string) =>
          id === "stuck-run"
            ? ({
                id,
                status: async () => ({ status: "running" }),
                terminate: async () => void terminated.push(id),
              } as unknown as WorkflowInstance)
            : realGet(id),
        );
        try {
          await runDurableObjectAlarm(stub);
        } finally {
          spy.mockRestore();
        }
        const status = await stub.status();
        expect(status.running, `silent for ${silentFor} ms`).toBe(keeps);
        expect(terminated).toEqual(keeps ? [] : ["stuck-run"]);
        if (!keeps) expect(status.lastResult).toMatchObject({ ok: false, code: "sync_interrupted" });
      }
      // The next trigger starts a run of its own, which finishes.
      expect(doneOf(await syncOnce(sessionToken)).runId).not.toBe("stuck-run");
    },
  );
});

describe("live progress", () => {
  it("a late subscriber gets the current phase first", async () => {
    const { sessionToken, user } = await signIn("late-sub", 1);
    const stub = userSync(env, user.id);
    await runInDurableObject(stub, async (_instance: UserSync, state) => {
      await state.storage.put("lock", {
        runId: "run-late",
        trigger: "manual",
        startedAt: Date.now(),
        heartbeatAt: Date.now(),
      });
    });
    await evictDurableObject(stub);
    await stub.publish("run-late", { event: "progress", data: { phase: "fetching" } });
    await stub.publish("run-late", { event: "progress", data: { phase: "fetched", total: 7, needsReadme: 3 } });
    // Another run's events are not this run's to tell.
    await stub.publish("other-run", {
      event: "progress",
      data: { phase: "embedding", current: "x", completed: 1, total: 2 },
    });

    const response = await workerFetch(`${BASE}/api/sync/events`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    const pending = collect(response);
    const statusResponse = await workerFetch(`${BASE}/api/sync/status`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    const status = SyncStatus.parse(await statusResponse.json());
    expect(status).toMatchObject({
      running: true,
      runId: "run-late",
      phase: "fetched",
      progress: { phase: "fetched", total: 7, needsReadme: 3 },
    });

    const done = {
      total: 7,
      new_count: 7,
      updated_count: 0,
      unstarred_count: 0,
      runId: "run-late",
      stats: {
        requests: { rest: 0, restNotModified: 0, graphql: 1 },
        graphqlPoints: 1,
        rowsWritten: 0,
        readmesFetched: 0,
        failures: 0,
      },
    };
    await stub.publish("run-late", { event: "done", data: done });
    const events = await pending;
    expect(events).toEqual<SyncEvent[]>([
      { event: "progress", data: { phase: "fetched", total: 7, needsReadme: 3 } },
      { event: "done", data: done },
    ]);
    expect((await stub.status()).running).toBe(false);
  });

  it("streams the same events over a WebSocket as {event, data}", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("ws-sub", 30);
    const socket = await openSocket(sessionToken);
    const finished = new Promise<void>((resolve) => {
      socket.ws.addEventListener("message", (message) => {
        if ((JSON.parse(String(message.data)) as SyncEvent).event !== "progress") resolve();
      });
    });
    const sse = await syncOnce(sessionToken);
    await finished;
    socket.ws.close();
    expect(socket.events).toEqual(sse);
    // `fetching` repeats as pages land (with counts); then the seed's order.
    const names = socket.events.map((e) => (e.event === "progress" ? e.data.phase : e.event));
    expect(names.filter((name, i) => name !== names[i - 1])).toEqual([
      "fetching",
      "fetched",
      "analyzing",
      "saving",
      "openrank",
      "embedding",
      "done",
    ]);
  });
});

// Defect 3: signing out (or the session expiring) did not end that session's open streams;
// they kept receiving the next run's events.
describe("a stream ends with its session", () => {
  const goodbye = expect.objectContaining({ event: "error", data: expect.objectContaining({ code: "unauthorized" }) });

  it("signing out ends that session's SSE stream and WebSocket, and only that session's", async () => {
    const { user, sessionToken: leaving } = await signIn("streams-signout", 0);
    const { sessionToken: staying } = await signIn("streams-signout", 0);
    const stub = await holdLock(user.id, "run-signout");
    const [leavingSse, stayingSse] = [await openStream(leaving), await openStream(staying)];
    const [leavingWs, stayingWs] = [await openSocket(leaving), await openSocket(staying)];
    await stub.publish("run-signout", progress(1));
    await Promise.all([leavingSse.received(1), stayingSse.received(1), leavingWs.received(1), stayingWs.received(1)]);

    expect(
      (
        await workerFetch(`${BASE}/api/auth/session`, {
          method: "DELETE",
          headers: { Authorization: `Bearer ${leaving}` },
        })
      ).status,
    ).toBe(204);
    expect(await leavingSse.ended).toEqual([progress(1), goodbye]);
    expect(await leavingWs.closed).toBe(SESSION_ENDED_CLOSE);
    expect(leavingWs.events).toEqual([progress(1), goodbye]);

    // The next events reach the other session only.
    await stub.publish("run-signout", progress(2));
    expect(await stayingSse.received(2)).toEqual([progress(1), progress(2)]);
    expect(await stayingWs.received(2)).toEqual([progress(1), progress(2)]);
    expect(leavingWs.events).toHaveLength(2);
    stayingWs.ws.close();
  });

  it(
    "a revoked session cannot open a stream a moment later " + "(its D1 check passed just before the row went)",
    async () => {
      const { user, sessionToken } = await signIn("streams-race", 0);
      await holdLock(user.id, "run-race");
      const session = { tokenHash: await sha256Hex(sessionToken), expiresAt: Date.now() + 60_000 };
      expect(
        (
          await workerFetch(`${BASE}/api/auth/session`, {
            method: "DELETE",
            headers: { Authorization: `Bearer ${sessionToken}` },
          })
        ).status,
      ).toBe(204);
      const late = await userSync(env, user.id).fetch(eventsRequest(session));
      const events: SyncEvent[] = [];
      for await (const event of readSse(late.body!)) events.push(event);
      expect(events).toEqual([goodbye]);
      expect(await userSync(env, user.id).addTicket("0".repeat(64), { session, expiresAt: Date.now() + 60_000 })).toBe(
        false,
      );
    },
  );

  it("deleting the account ends every stream of every session", async () => {
    const { sessionToken, user } = await signIn("streams-delete", 0);
    const stub = await holdLock(user.id, "run-delete");
    const sse = await openStream(sessionToken);
    const socket = await openSocket(sessionToken);
    await stub.publish("run-delete", progress(1));
    await Promise.all([sse.received(1), socket.received(1)]);
    expect(
      (await workerFetch(`${BASE}/api/me`, { method: "DELETE", headers: { Authorization: `Bearer ${sessionToken}` } }))
        .status,
    ).toBe(204);
    expect(await sse.ended).toEqual([progress(1), goodbye]);
    expect(await socket.closed).toBe(SESSION_ENDED_CLOSE);
  });

  it("an expired session's streams end at the next event instead of receiving it", async () => {
    const { sessionToken, user } = await signIn("streams-expiry", 0);
    const stub = await holdLock(user.id, "run-expiry");
    // The session has a second left when the streams open.
    await env.DB.prepare("update sessions set expires_at = ? where token_hash = ?")
      .bind(Date.now() + 1_000, await sha256Hex(sessionToken))
      .run();
    const sse = await openStream(sessionToken);
    const socket = await openSocket(sessionToken);
    await stub.publish("run-expiry", progress(1));
    await Promise.all([sse.received(1), socket.received(1)]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stub.publish("run-expiry", progress(2));
    expect(await sse.ended).toEqual([progress(1), goodbye]);
    expect(await socket.closed).toBe(SESSION_ENDED_CLOSE);
    expect(socket.events).toEqual([progress(1), goodbye]);
  });
});

describe("the hourly schedule", () => {
  it("cron starts runs only for users who are due, with auto-sync on and a working token", async () => {
    await using introspector = await fastWorkflows();
    const due = await signIn("cron-due", 3);
    const later = await signIn("cron-later", 3);
    const off = await signIn("cron-off", 3);
    const broken = await signIn("cron-broken", 3);
    const now = Date.now();
    // Only these four exist for this cron; other test files have their own D1.
    await env.DB.prepare("update users set next_sync_at = ?")
      .bind(now + 3_600_000)
      .run();
    await env.DB.prepare("update users set next_sync_at = ? where id in (?, ?, ?)")
      .bind(now - 1000, due.user.id, off.user.id, broken.user.id)
      .run();
    await env.DB.prepare("update users set auto_sync = 0 where id = ?").bind(off.user.id).run();
    await env.DB.prepare("update users set token_status = 'invalid' where id = ?").bind(broken.user.id).run();

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(now), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);

    const instances = await introspector.get();
    expect(instances).toHaveLength(1);
    await instances[0]!.waitForStatus("complete");
    const run = await env.DB.prepare(
      "select user_id, trigger, status from sync_runs order by started_at desc limit 1",
    ).first();
    expect(run).toMatchObject({ user_id: due.user.id, trigger: "auto", status: "done" });
    const next = await env.DB.prepare("select next_sync_at from users where id = ?")
      .bind(due.user.id)
      .first<{ next_sync_at: number }>();
    expect(next!.next_sync_at).toBeGreaterThan(now + 3_500_000);
    expect((await userSync(env, later.user.id).status()).running).toBe(false);
  });
});
