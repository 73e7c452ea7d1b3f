import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import type { LookupItem } from "../../../shared/repositories";
import { lookupCacheItem } from "@/lib/storage";
import { createLookupCache } from "./lookup-cache";

const item = (fullName: string): LookupItem => ({
  fullName,
  starred: true,
  saved: false,
  starredAt: "2026-01-02T03:04:05.000Z",
  aiSummary: null,
  aiTags: [],
  aiPlatforms: [],
  openrank: null,
  customTags: [],
  customCategory: null,
  customDescription: null,
  notes: null,
});

/** A Worker whose library holds names starting with "in/". */
function worker() {
  const fetchBatch = vi.fn(async (names: string[]) =>
    Object.fromEntries(names.filter((n) => n.startsWith("in/")).map((n) => [n, item(n)])),
  );
  return fetchBatch;
}

describe("lookup cache", () => {
  beforeEach(() => fakeBrowser.reset());

  it("asks for at most 100 names a request", async () => {
    const fetchBatch = worker();
    const cache = createLookupCache({ fetchBatch });
    const names = Array.from({ length: 250 }, (_, i) => `in/r${i}`);
    const answer = await cache.get(names);
    expect(Object.keys(answer)).toHaveLength(250);
    expect(fetchBatch.mock.calls.map(([batch]) => batch.length)).toEqual([100, 100, 50]);
  });

  it("answers known names — found or not — from the cache until the TTL passes", async () => {
    let now = 1_000;
    const fetchBatch = worker();
    const cache = createLookupCache({ fetchBatch, now: () => now, ttlMs: 60_000 });
    expect(Object.keys(await cache.get(["in/a", "out/b"]))).toEqual(["in/a"]);
    expect(Object.keys(await cache.get(["IN/A", "out/b"]))).toEqual(["IN/A"]);
    expect(fetchBatch).toHaveBeenCalledTimes(1);
    now += 60_001;
    await cache.get(["in/a"]);
    expect(fetchBatch).toHaveBeenCalledTimes(2);
  });

  it("shares one request between pages asking for the same names at once", async () => {
    const fetchBatch = worker();
    const cache = createLookupCache({ fetchBatch });
    const [a, b] = await Promise.all([cache.get(["in/a", "in/b"]), cache.get(["in/b", "in/c"])]);
    expect(Object.keys(a)).toEqual(["in/a", "in/b"]);
    expect(Object.keys(b)).toEqual(["in/b", "in/c"]);
    expect(fetchBatch.mock.calls.map(([batch]) => batch)).toEqual([["in/a", "in/b"], ["in/c"]]);
  });

  it("forgets everything after a sync, and stores itself for a woken service worker", async () => {
    const fetchBatch = worker();
    const cache = createLookupCache({ fetchBatch });
    await cache.get(["in/a"]);
    await vi.waitFor(async () => expect(Object.keys(await lookupCacheItem.getValue())).toEqual(["in/a"]), {
      timeout: 5_000,
    });
    // A new cache (the service worker restarted) answers from storage without asking.
    const woken = createLookupCache({ fetchBatch });
    expect(Object.keys(await woken.get(["in/a"]))).toEqual(["in/a"]);
    expect(fetchBatch).toHaveBeenCalledTimes(1);
    await woken.invalidate();
    await woken.get(["in/a"]);
    expect(fetchBatch).toHaveBeenCalledTimes(2);
  });

  it("updates one name after an edit without a request", async () => {
    const fetchBatch = worker();
    const cache = createLookupCache({ fetchBatch });
    await cache.put({ ...item("out/new"), notes: "mine" });
    expect((await cache.get(["out/new"]))["out/new"]?.notes).toBe("mine");
    expect(fetchBatch).not.toHaveBeenCalled();
  });
});
