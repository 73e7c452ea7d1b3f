/// <reference types="vite/client" />
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { app } from "./app";

// Every sub-app a route file exports (worker/routes/*.ts), by file and export name.
const modules = import.meta.glob<Record<string, unknown>>(["./routes/*.ts", "!./routes/*.test.ts"], { eager: true });

describe("worker/app.ts", () => {
  it("finds the route files", () => {
    expect(Object.keys(modules).length).toBeGreaterThanOrEqual(6);
  });

  // `.route(path, sub)` copies each of the sub-app's handlers into the app (https://hono.dev/docs/api/routing#grouping),
  // so a sub-app is mounted when the app holds every one of its handlers.
  it.each(Object.keys(modules))("mounts every sub-app of %s", (file) => {
    const mounted = new Set(app.routes.map((route) => route.handler));
    const subApps = Object.entries(modules[file]!).filter((entry): entry is [string, Hono] => entry[1] instanceof Hono);
    expect(subApps.length, `${file} exports no Hono sub-app`).toBeGreaterThan(0);
    for (const [name, sub] of subApps) {
      const missing = sub.routes.filter((route) => !mounted.has(route.handler)).map((route) => `${route.method} ${route.path}`);
      expect(missing, `${file}: ${name} is not mounted in worker/app.ts`).toEqual([]);
    }
  });
});
