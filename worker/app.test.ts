/// <reference types="vite/client" />
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { BASE, signIn, workerFetch } from "./test/helpers";
import { app } from "./app";

// Every sub-app a route file exports (worker/routes/*.ts), by file and export name.
const modules = import.meta.glob<Record<string, unknown>>(["./routes/*.ts", "!./routes/*.test.ts"], { eager: true });

describe("worker/app.ts", () => {
  it("finds the route files", () => {
    expect(Object.keys(modules).length).toBeGreaterThanOrEqual(6);
  });

  // `.route(path, sub)` copies each of the sub-app's handlers into the app
  // (https://hono.dev/docs/api/routing#grouping),
  // so a sub-app is mounted when the app holds every one of its handlers.
  it.each(Object.keys(modules))("mounts every sub-app of %s", (file) => {
    const mounted = new Set(app.routes.map((route) => route.handler));
    const subApps = Object.entries(modules[file]!).filter((entry): entry is [string, Hono] => entry[1] instanceof Hono);
    expect(subApps.length, `${file} exports no Hono sub-app`).toBeGreaterThan(0);
    for (const [name, sub] of subApps) {
      const missing = sub.routes
        .filter((route) => !mounted.has(route.handler))
        .map((route) => `${route.method} ${route.path}`);
      expect(missing, `${file}: ${name} is not mounted in worker/app.ts`).toEqual([]);
    }
  });
});

// An API answer holds one user's data: no cache (browser, proxy, extension) may keep it, and
// no browser may sniff a JSON or CSV body into HTML.
describe("response headers", () => {
  const expectPrivate = (response: Response) => {
    expect(response.headers.get("cache-control"), response.url).toBe("no-store");
    expect(response.headers.get("x-content-type-options"), response.url).toBe("nosniff");
  };

  it("every JSON answer is no-store and nosniff: success, error, not found, validation, preflight", async () => {
    const { sessionToken } = await signIn("headers-json", 1);
    const auth = { Authorization: `Bearer ${sessionToken}` };
    const answers = await Promise.all([
      workerFetch(`${BASE}/health`),
      workerFetch(`${BASE}/api/me`, { headers: auth }),
      workerFetch(`${BASE}/api/me`),
      workerFetch(`${BASE}/api/nope`),
      workerFetch(`${BASE}/api/repositories?limit=0`, { headers: auth }),
      workerFetch(`${BASE}/api/repositories/lookup`, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ fullNames: [] }),
      }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 401, 404, 400, 200]);
    for (const response of answers) {
      expect(response.headers.get("content-type")).toContain("application/json");
      expectPrivate(response);
    }
    // Not JSON, but as private: the CSV export and a CORS preflight.
    expectPrivate(await workerFetch(`${BASE}/api/export?format=csv`, { headers: auth }));
    expectPrivate(
      await workerFetch(`${BASE}/api/me`, {
        method: "OPTIONS",
        headers: { Origin: "chrome-extension://abc", "Access-Control-Request-Method": "GET" },
      }),
    );
  });

  it("the SSE stream keeps its own no-cache (proxies must not buffer it) and is nosniff", async () => {
    const { sessionToken } = await signIn("headers-sse", 1);
    const response = await workerFetch(`${BASE}/api/sync/events`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    await response.body?.cancel();
  });
});
