import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { connectionItem, DEFAULT_WORKER_URL, isConnected, readConnection } from "./storage";

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
