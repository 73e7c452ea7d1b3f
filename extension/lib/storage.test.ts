import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import {
  connectionItem,
  digestPanelItem,
  digestVisitItem,
  DEFAULT_WORKER_URL,
  IDLE_SYNC_STATE,
  isConnected,
  libraryIndexItem,
  lookupCacheItem,
  preferencesItem,
  readConnection,
  readSyncState,
  releaseNoticeItem,
  syncStateItem,
} from "./storage";

describe("local:connection", () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it("falls back to the local Worker, not connected", async () => {
    const connection = await readConnection();
    expect(connection).toEqual({ workerUrl: DEFAULT_WORKER_URL, sessionToken: null, login: null });
    expect(isConnected(connection)).toBe(false);
  });

  it("round-trips a connection through browser.storage.local", async () => {
    const value = { workerUrl: "https://starwise.example.workers.dev", sessionToken: "s3ss10n", login: "octocat" };
    await connectionItem.setValue(value);

    // The key other contexts (and the e2e test) read and write.
    expect(await fakeBrowser.storage.local.get("connection")).toEqual({ connection: value });
    expect(await readConnection()).toEqual(value);
    expect(isConnected(await readConnection())).toBe(true);
  });

  it("treats a malformed stored value as not connected", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await fakeBrowser.storage.local.set({
      connection: { workerUrl: "javascript:alert(1)", sessionToken: "x", login: "octocat" },
    });

    expect(await readConnection()).toEqual(connectionItem.fallback);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });

  it("notifies watchers when the connection changes", async () => {
    const seen: Array<string | null> = [];
    const unwatch = connectionItem.watch((value) => seen.push(value.login));
    await connectionItem.setValue({ workerUrl: DEFAULT_WORKER_URL, sessionToken: "t", login: "octocat" });
    await connectionItem.removeValue();
    unwatch();
    expect(seen).toEqual(["octocat", null]);
  });
});

describe("every storage item", () => {
  beforeEach(() => {
    fakeBrowser.reset();
  });

  it("is declared once, in this module, each with a version", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const root = join(__dirname, "..");
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? e.name.startsWith(".") || e.name === "node_modules"
            ? []
            : walk(join(dir, e.name))
          : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)
            ? [join(dir, e.name)]
            : [],
      );
    const defining = walk(root).filter((file) => readFileSync(file, "utf8").includes("storage.defineItem"));
    expect(defining.map((file) => file.slice(root.length + 1))).toEqual(["lib/storage.ts"]);
    const calls = readFileSync(join(root, "lib/storage.ts"), "utf8").split("storage.defineItem<").slice(1);
    expect(calls).toHaveLength(8);
    for (const call of calls) expect(call.slice(0, call.indexOf("});"))).toMatch(/\bversion: \d+/);
    // And each round-trips through browser.storage.local under its key.
    const items = [
      [connectionItem, "connection", { workerUrl: DEFAULT_WORKER_URL, sessionToken: "s", login: "octocat" }],
      [preferencesItem, "preferences", { language: "zh", autoSync: false }],
      [syncStateItem, "syncState", IDLE_SYNC_STATE],
      [lookupCacheItem, "lookupCache", {}],
      [libraryIndexItem, "libraryIndex", { login: "octocat", fetchedAt: 1, items: "[]" }],
      [digestVisitItem, "digestVisit", { previous: 1, current: 2 }],
      [digestPanelItem, "digestPanel", { open: false, range: "week" }],
      [releaseNoticeItem, "releaseNotice", { runId: "r1", told: ["a/b@v1"], enabledAt: 5, failure: null }],
    ] as const;
    for (const [item, key, value] of items) {
      await (item as { setValue(v: unknown): Promise<void> }).setValue(value);
      expect(await fakeBrowser.storage.local.get(key)).toEqual({ [key]: value });
    }
  });

  it("reads a malformed sync state as idle, not as a crash", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await fakeBrowser.storage.local.set({ syncState: { running: "yes" } });
    expect(await readSyncState()).toEqual(IDLE_SYNC_STATE);
    warn.mockRestore();
  });
});
