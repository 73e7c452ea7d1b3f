import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import { AuthTokenResponse } from "../../shared/api";
import { createApiClient } from "../../shared/client";

export const BASE = "https://starwise.test";
export const githubUrl = () => inject("githubUrl");

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

/** Creates `login` in the emulator (with `stars` starred repositories) and signs in as them. */
export async function signIn(login: string, stars = 5) {
  await emulator("users", { login, stars });
  const response = await api().api.auth.token.$post({ json: { githubToken: `emulator-token-${login}` } });
  if (response.status !== 200) throw new Error(`sign-in of ${login} failed: ${response.status} ${await response.text()}`);
  return AuthTokenResponse.parse(await response.json());
}

export { env };
