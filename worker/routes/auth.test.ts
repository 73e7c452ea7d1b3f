import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ErrorBody } from "../../shared/errors";
import { Me } from "../../shared/api";
import worker from "../index";
import { MAX_SESSIONS_PER_USER } from "../lib/auth";
import { sha256Hex } from "../lib/crypto";
import {
  clientKey,
  SIGN_IN_LIMIT_PER_CLIENT,
  SIGN_IN_LIMIT_PER_TOKEN,
  SIGN_IN_WINDOW_MS,
} from "../lib/sign-in-throttle";
import { holdLock, openStream, progress } from "../test/streams";
import { BASE, api, emulator, env, signIn, workerFetch } from "../test/helpers";

describe("GET /health", () => {
  it("answers ok with the version", async () => {
    const response = await api().health.$get();
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.ok).toBe(true);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("POST /api/auth/token", () => {
  it("rejects a token GitHub does not know with 401 github_token_invalid", async () => {
    const response = await api().api.auth.token.$post({ json: { githubToken: "ghp_not-a-real-token" } });
    expect(response.status).toBe(401);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("github_token_invalid");
  });

  it.each([
    ["not JSON", "{githubToken:", "application/json"],
    ["no token", JSON.stringify({}), "application/json"],
    ["an empty token", JSON.stringify({ githubToken: "  " }), "application/json"],
    ["a token with spaces", JSON.stringify({ githubToken: "a b" }), "application/json"],
    ["a number", JSON.stringify({ githubToken: 42 }), "application/json"],
  ])("rejects %s with 400 bad_request", async (_, body, contentType) => {
    const response = await workerFetch(`${BASE}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": contentType },
      body,
    });
    expect(response.status).toBe(400);
    const error = ErrorBody.parse(await response.json()).error;
    expect(error.code).toBe("bad_request");
    expect(error.message.length).toBeGreaterThan(5);
  });

  it("returns a session that works, for the token's owner", async () => {
    const { sessionToken, user } = await signIn("alice");
    expect(user.login).toBe("alice");
    expect(sessionToken).toMatch(/^sws_[\w-]{43}$/);
    const response = await api(sessionToken).api.me.$get();
    expect(response.status).toBe(200);
    const me = Me.parse(await response.json());
    expect(me.user).toMatchObject({ id: user.id, login: "alice", tokenStatus: "valid", autoSync: true });
  });

  it("stores the GitHub token encrypted and the session only as a hash", async () => {
    const { sessionToken, user } = await signIn("bob");
    const row = await env.DB.prepare("select * from users where id = ?").bind(user.id).first<Record<string, unknown>>();
    expect(row).not.toBeNull();
    const dump = JSON.stringify(row);
    expect(dump).not.toContain("emulator-token-bob");
    expect(String(row?.token_ciphertext)).toMatch(/^v1\.[\w-]+\.[\w-]+$/);

    const sessions = await env.DB.prepare("select * from sessions where user_id = ?").bind(user.id).all();
    expect(JSON.stringify(sessions.results)).not.toContain(sessionToken);
    expect(sessions.results.map((s) => s.token_hash)).toContain(await sha256Hex(sessionToken));
  });

  it("signing in again keeps the same user and replaces the stored token", async () => {
    const first = await signIn("carol");
    const before = await env.DB.prepare("select token_ciphertext from users where id = ?").bind(first.user.id).first();
    const second = await signIn("carol");
    expect(second.user.id).toBe(first.user.id);
    expect(second.sessionToken).not.toBe(first.sessionToken);
    const after = await env.DB.prepare("select token_ciphertext from users where id = ?").bind(first.user.id).first();
    expect(after?.token_ciphertext).not.toBe(before?.token_ciphertext);
    // Both sessions stay valid: one per device.
    expect((await api(first.sessionToken).api.me.$get()).status).toBe(200);
  });

  it("says github_unavailable when GitHub fails, and creates nothing", async () => {
    await emulator("users", { login: "dave", stars: 1 });
    await emulator("faults", { route: "GET /user", status: 502, count: 1 });
    const response = await api().api.auth.token.$post({ json: { githubToken: "emulator-token-dave" } });
    expect(response.status).toBe(502);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("github_unavailable");
    const row = await env.DB.prepare("select count(*) as n from users where login = 'dave'").first<{ n: number }>();
    expect(row?.n).toBe(0);
  });
});

// What GitHub says when it fails is for our log, never for the client: it may hold internal
// detail (a proxy's error page, a request id, an echo of what was sent).
describe("POST /api/auth/token when GitHub fails", () => {
  const secret = "INTERNAL-DETAIL proxy=10.1.2.3 request-id=abc123";

  it.each([
    ["a 500 with a JSON message", 500, { message: secret }, 502, "github_unavailable"],
    ["a 503 with an HTML page", 503, `<html><body>${secret}</body></html>`, 502, "github_unavailable"],
    ["a 401 with a message", 401, { message: secret }, 401, "github_token_invalid"],
    ["a 403 without scopes", 403, { message: secret }, 401, "github_token_invalid"],
    ["a 404 (a wrong GITHUB_API_URL)", 404, { message: secret }, 502, "github_unavailable"],
    ["a 422", 422, { message: secret, errors: [{ message: secret }] }, 502, "github_unavailable"],
  ])(
    "%s: a generic message with the right code, GitHub's body only in the log",
    async (_, status, body, expected, code) => {
      const login = `gh-fails-${status}`;
      await emulator("users", { login, stars: 0 });
      await emulator("faults", { route: "GET /user", login, status, body, count: 1 });
      const logged: unknown[][] = [];
      const spies = (["error", "warn", "log"] as const).map((level) =>
        vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args)),
      );
      let text: string;
      let response: Response;
      try {
        response = await workerFetch(`${BASE}/api/auth/token`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ githubToken: `emulator-token-${login}` }),
        });
        text = await response.text();
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
      expect(response.status, text).toBe(expected);
      expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe(code);
      expect(text).not.toContain("INTERNAL-DETAIL");
      expect(text).not.toContain("10.1.2.3");
      expect(JSON.stringify(logged.map((args) => args.map(String)))).toContain("INTERNAL-DETAIL");
    },
  );

  it("a rate-limited token: 503 github_rate_limited with GitHub's reset as Retry-After", async () => {
    const login = "gh-fails-limited";
    await emulator("users", { login, stars: 0 });
    await emulator("faults", { route: "GET /user", login, rateLimit: "core", resetInSeconds: 120, count: 1 });
    const response = await api().api.auth.token.$post({ json: { githubToken: `emulator-token-${login}` } });
    const text = await response.text();
    expect(response.status, text).toBe(503);
    expect(ErrorBody.parse(JSON.parse(text)).error.code).toBe("github_rate_limited");
    const retryAfter = Number(response.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(121);
  });
});

describe("sessions", () => {
  it.each([
    ["no Authorization header", undefined],
    ["a malformed header", "Token abc"],
    ["an unknown session", "Bearer sws_unknown"],
  ])("answers 401 unauthorized for %s", async (_, header) => {
    const response = await workerFetch(`${BASE}/api/me`, { headers: header ? { Authorization: header } : {} });
    expect(response.status).toBe(401);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("unauthorized");
  });

  it("rejects an expired session", async () => {
    const { sessionToken } = await signIn("erin");
    await env.DB.prepare("update sessions set expires_at = ? where token_hash = ?")
      .bind(Date.now() - 1000, await sha256Hex(sessionToken))
      .run();
    expect((await api(sessionToken).api.me.$get()).status).toBe(401);
  });

  it("logout ends the session (and only that one)", async () => {
    const one = await signIn("frank");
    const two = await signIn("frank");
    const response = await api(one.sessionToken).api.auth.session.$delete();
    expect(response.status).toBe(204);
    expect((await api(one.sessionToken).api.me.$get()).status).toBe(401);
    expect((await api(two.sessionToken).api.me.$get()).status).toBe(200);
  });
});

describe("errors", () => {
  it("answers unknown routes with the error contract", async () => {
    const response = await workerFetch(`${BASE}/api/nope`);
    expect(response.status).toBe(404);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("not_found");
  });

  it("refuses bodies over 1 MiB with 413", async () => {
    const response = await workerFetch(`${BASE}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ githubToken: "x".repeat(1024 * 1024 + 10) }),
    });
    expect(response.status).toBe(413);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("payload_too_large");
  });
});

// Defect 7: twenty sign-ins made twenty sessions, each calling GitHub; expired ones stayed.
describe("session limits", () => {
  const countSessions = async (userId: number) =>
    (await env.DB.prepare("select count(*) as n from sessions where user_id = ?").bind(userId).first<{ n: number }>())!
      .n;

  it(
    `keeps at most ${MAX_SESSIONS_PER_USER} live sessions a user; ` +
      "a new one revokes the oldest, and its open stream",
    async () => {
      const first = await signIn("cap-user", 0);
      const userId = first.user.id;
      const oldest = [first.sessionToken];
      for (let i = 1; i < MAX_SESSIONS_PER_USER; i++) oldest.push((await signIn("cap-user", 0)).sessionToken);
      expect(await countSessions(userId)).toBe(MAX_SESSIONS_PER_USER);
      const stub = await holdLock(userId, "run-cap");
      const stream = await openStream(oldest[0]!);
      await stub.publish("run-cap", progress(1));
      await stream.received(1);

      const newest = await signIn("cap-user", 0);
      expect(await countSessions(userId)).toBe(MAX_SESSIONS_PER_USER);
      expect((await api(oldest[0]).api.me.$get()).status).toBe(401);
      for (const token of [...oldest.slice(1), newest.sessionToken])
        expect((await api(token).api.me.$get()).status).toBe(200);
      expect(await stream.ended).toEqual([
        progress(1),
        expect.objectContaining({ event: "error", data: expect.objectContaining({ code: "unauthorized" }) }),
      ]);
    },
  );

  it("a sign-in purges the user's expired sessions", async () => {
    const { sessionToken, user } = await signIn("purge-on-sign-in", 0);
    await env.DB.prepare("update sessions set expires_at = ? where token_hash = ?")
      .bind(Date.now() - 1, await sha256Hex(sessionToken))
      .run();
    await signIn("purge-on-sign-in", 0);
    const hashes = await env.DB.prepare("select token_hash from sessions where user_id = ?").bind(user.id).all();
    expect(hashes.results.map((row) => row.token_hash)).not.toContain(await sha256Hex(sessionToken));
    expect(hashes.results).toHaveLength(1);
  });

  it("the cron purges every expired session and every finished sign-in window", async () => {
    const expired = await signIn("purge-cron-a", 0);
    const live = await signIn("purge-cron-b", 0);
    const now = Date.now();
    await env.DB.prepare("update sessions set expires_at = ? where user_id = ?")
      .bind(now - 1, expired.user.id)
      .run();
    await env.DB.prepare(
      "insert into sign_in_attempts (key, window_start, count) values ('token:old', ?, 3), ('token:new', ?, 3)",
    )
      .bind(now - SIGN_IN_WINDOW_MS - 1, now)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(now), cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await countSessions(expired.user.id)).toBe(0);
    expect(await countSessions(live.user.id)).toBe(1);
    const windows = await env.DB.prepare(
      "select key from sign_in_attempts where key in ('token:old', 'token:new')",
    ).all();
    expect(windows.results).toEqual([{ key: "token:new" }]);
  });
});

describe("sign-in throttle", () => {
  const signInRaw = (githubToken: string, headers: Record<string, string> = {}) =>
    workerFetch(`${BASE}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ githubToken }),
    });
  const githubCalls = async (login: string) => {
    const stats = (await emulator("stats")) as { rateLimit: Record<string, { core: { total: number } }> };
    return stats.rateLimit[login]?.core.total ?? 0;
  };

  it(
    `allows ${SIGN_IN_LIMIT_PER_TOKEN} sign-ins per GitHub token a window, ` +
      "then 429 rate_limited with Retry-After, without asking GitHub",
    async () => {
      const login = "throttle-token";
      await emulator("users", { login, stars: 0 });
      const token = `emulator-token-${login}`;
      for (let i = 0; i < SIGN_IN_LIMIT_PER_TOKEN; i++) expect((await signInRaw(token)).status).toBe(200);
      const calls = await githubCalls(login);
      // GET /user is counted, so the check below can fail
      expect(calls).toBeGreaterThanOrEqual(SIGN_IN_LIMIT_PER_TOKEN);
      const limited = await signInRaw(token);
      expect(limited.status).toBe(429);
      expect(ErrorBody.parse(await limited.json()).error.code).toBe("rate_limited");
      const retryAfter = Number(limited.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(SIGN_IN_WINDOW_MS / 1000 - 30);
      expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_WINDOW_MS / 1000);
      expect(await githubCalls(login)).toBe(calls);
      // Another token is not affected; the window over, this one signs in again.
      expect((await signIn("throttle-other", 0)).sessionToken).toBeTruthy();
      await env.DB.prepare("update sign_in_attempts set window_start = window_start - ? where key = ?")
        .bind(SIGN_IN_WINDOW_MS, `token:${await sha256Hex(token)}`)
        .run();
      expect((await signInRaw(token)).status).toBe(200);
    },
  );

  it(
    "counts failed attempts too: wrong tokens from one client end in 429 for that client, " + "even with a good token",
    async () => {
      const client = { "CF-Connecting-IP": "203.0.113.9" };
      const bad = await Promise.all(
        Array.from({ length: SIGN_IN_LIMIT_PER_CLIENT }, (_, i) => signInRaw(`ghp_guess${i}`, client)),
      );
      expect(new Set(bad.map((r) => r.status))).toEqual(new Set([401]));
      await emulator("users", { login: "throttle-client", stars: 0 });
      const limited = await signInRaw("emulator-token-throttle-client", client);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another client is not affected.
      expect((await signInRaw("emulator-token-throttle-client", { "CF-Connecting-IP": "203.0.113.10" })).status).toBe(
        200,
      );
    },
  );

  it("counts an IPv6 client by its /64", async () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe(clientKey("2001:0db8:0001:0002:ffff:1:2:3"));
    expect(clientKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
  });
});
