import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../shared/errors";
import { Me } from "../../shared/api";
import { sha256Hex } from "../lib/crypto";
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
