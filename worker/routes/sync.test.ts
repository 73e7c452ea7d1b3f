import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SYNC_TICKET_TTL_MS } from "../../shared/api";
import { ErrorBody } from "../../shared/errors";
import type { UserSync } from "../durable-objects/user-sync";
import { sha256Hex } from "../lib/crypto";
import { userSync } from "../lib/sync-run";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { holdLock, openSocket, progress, ticketFor, upgrade } from "../test/streams";

async function expectError(response: Response, status: number, code: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe(code);
}

describe("POST /api/sync/ticket", () => {
  it("gives a ticket that lives a minute, bound to the user, kept only as a hash", async () => {
    const { sessionToken, user } = await signIn("ticket-issue", 0);
    const before = Date.now();
    const { ticket, expiresAt } = await ticketFor(sessionToken);
    expect(ticket).toMatch(new RegExp(`^swt_${user.id}\\.[\\w-]{43}$`));
    expect(ticket).not.toContain(sessionToken.slice(4));
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(SYNC_TICKET_TTL_MS - 5_000);
    expect(lifetime).toBeLessThanOrEqual(SYNC_TICKET_TTL_MS + 1_000);
    // The object holds its hash, never the ticket or the session token.
    const stored = await runInDurableObject(userSync(env, user.id), async (_: UserSync, state) =>
      JSON.stringify([...(await state.storage.list()).entries()]),
    );
    expect(stored).toContain(await sha256Hex(ticket));
    expect(stored).not.toContain(ticket);
    expect(stored).not.toContain(sessionToken);
  });

  it("needs a session in the Authorization header", async () => {
    await expectError(await workerFetch(`${BASE}/api/sync/ticket`, { method: "POST" }), 401, "unauthorized");
    const { sessionToken } = await signIn("ticket-url", 0);
    await expectError(
      await workerFetch(`${BASE}/api/sync/ticket?access_token=${sessionToken}`, { method: "POST" }),
      401,
      "unauthorized",
    );
  });
});

describe("GET /api/sync/ws", () => {
  it("streams the same events over a WebSocket as {event, data}, opened with a ticket", async () => {
    const { sessionToken, user } = await signIn("ws-events", 0);
    const stub = await holdLock(user.id, "run-ws");
    const socket = await openSocket(sessionToken);
    await stub.publish("run-ws", progress(100));
    await stub.publish("run-ws", progress(200));
    expect(await socket.received(2)).toEqual([progress(100), progress(200)]);
    socket.ws.close();
  });

  it("takes each ticket once: a second upgrade, even at the same moment, is 401", async () => {
    const { sessionToken } = await signIn("ws-once", 0);
    const { ticket } = await ticketFor(sessionToken);
    const answers = await Promise.all([
      upgrade(`?ticket=${ticket}`),
      upgrade(`?ticket=${ticket}`),
      upgrade(`?ticket=${ticket}`),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([101, 401, 401]);
    for (const answer of answers) answer.webSocket?.accept();
    for (const answer of answers) answer.webSocket?.close();
    await expectError(await upgrade(`?ticket=${ticket}`), 401, "unauthorized");
  });

  it("refuses an expired ticket", async () => {
    const { sessionToken, user } = await signIn("ws-expired", 0);
    const { ticket } = await ticketFor(sessionToken);
    const key = `ticket:${await sha256Hex(ticket)}`;
    await runInDurableObject(userSync(env, user.id), async (_: UserSync, state) => {
      const stored = await state.storage.get<{ expiresAt: number }>(key);
      await state.storage.put(key, { ...stored, expiresAt: Date.now() - 1 });
    });
    await expectError(await upgrade(`?ticket=${ticket}`), 401, "unauthorized");
  });

  it("refuses a ticket presented under another user's id", async () => {
    const alice = await signIn("ws-alice", 0);
    const bob = await signIn("ws-bob", 0);
    const { ticket } = await ticketFor(alice.sessionToken);
    const forged = ticket.replace(`swt_${alice.user.id}.`, `swt_${bob.user.id}.`);
    await expectError(await upgrade(`?ticket=${forged}`), 401, "unauthorized");
    // Alice's ticket is untouched by the attempt.
    const ok = await upgrade(`?ticket=${ticket}`);
    expect(ok.status).toBe(101);
    ok.webSocket!.accept();
    ok.webSocket!.close();
  });

  // Defect 1: the session token went into the URL (and the local runtime's request trace).
  it.each([
    ["the session token as access_token", (session: string) => `?access_token=${session}`, 400],
    ["the session token as the ticket", (session: string) => `?ticket=${session}`, 400],
    [
      "a ticket and an access_token",
      (session: string) => `?ticket=swt_1.${"a".repeat(43)}&access_token=${session}`,
      400,
    ],
    ["no ticket", () => "", 400],
    ["a well-formed unknown ticket", () => `?ticket=swt_1.${"a".repeat(43)}`, 401],
  ])("refuses %s", async (_, query, status) => {
    const { sessionToken } = await signIn("ws-refuse", 0);
    const response = await upgrade(query(sessionToken), { Authorization: `Bearer ${sessionToken}` });
    expect(response.status).toBe(status);
    expect(response.webSocket).toBeNull();
  });

  it("wants a WebSocket upgrade, and keeps the ticket for one", async () => {
    const { sessionToken } = await signIn("ws-no-upgrade", 0);
    const { ticket } = await ticketFor(sessionToken);
    await expectError(await workerFetch(`${BASE}/api/sync/ws?ticket=${ticket}`), 400, "bad_request");
    const response = await upgrade(`?ticket=${ticket}`);
    expect(response.status).toBe(101);
    response.webSocket!.accept();
    response.webSocket!.close();
  });
});

// Defect 2: `access_token` was accepted on every route when an Upgrade header came with it.
describe("no route authenticates from the URL", () => {
  it.each(["/api/me", "/api/sync/status", "/api/sync/events", "/api/repositories", "/api/export"])(
    "%s?access_token=<session> is 401, with or without Upgrade: websocket",
    async (path) => {
      const { sessionToken } = await signIn("url-token", 0);
      for (const headers of [{ Upgrade: "websocket" }, {}] as Array<Record<string, string>>) {
        await expectError(
          await workerFetch(`${BASE}${path}?access_token=${sessionToken}`, { headers }),
          401,
          "unauthorized",
        );
      }
      // The same session in the header works: the 401 is about where it was sent.
      const ok = await workerFetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${sessionToken}` } });
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
    },
  );
});
