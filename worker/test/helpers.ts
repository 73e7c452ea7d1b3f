import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { AuthTokenResponse } from "../../shared/api";
import { createApiClient } from "./api-client";
import { sha256Hex } from "../lib/crypto";

export const BASE = "https://starwise.test";
export const githubUrl = () => inject("githubUrl");
/** The AI emulator (OpenAI-compatible; the API under `/v1`). */
export const aiUrl = () => inject("aiUrl");
export const opendiggerUrl = () => inject("opendiggerUrl");

/** Talks to the AI or OpenDigger emulator's control API (`/_emulator/…`, no auth). */
export async function emulatorControl(
  which: "ai" | "opendigger",
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const base = which === "ai" ? aiUrl() : opendiggerUrl();
  const response = await fetch(`${base}/_emulator/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${which} emulator ${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The Worker under test, reached like a client would, through its default export. */
export const workerFetch: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));

export function api(sessionToken?: string | null) {
  return createApiClient(BASE, { sessionToken: sessionToken ?? null, fetch: workerFetch });
}

/** Talks to the GitHub emulator's control API (no auth). */
export async function emulator(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${githubUrl()}/_emulator/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Creates `login` in the emulator (with `stars` starred repositories) and signs in as them.
 * Tests sign one login in many times (a session per case), so each sign-in here starts
 * with a fresh sign-in throttle window for the token; the throttle has its own tests
 * (routes/auth.test.ts), which sign in without this helper.
 */
export async function signIn(login: string, stars = 5) {
  await emulator("users", { login, stars });
  const githubToken = `emulator-token-${login}`;
  await env.DB.prepare("delete from sign_in_attempts where key = ?")
    .bind(`token:${await sha256Hex(githubToken)}`)
    .run();
  const response = await api().api.auth.token.$post({ json: { githubToken } });
  if (response.status !== 200)
    throw new Error(`sign-in of ${login} failed: ${response.status} ${await response.text()}`);
  return AuthTokenResponse.parse(await response.json());
}

export { env };
