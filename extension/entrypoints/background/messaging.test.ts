import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { sendMessage } from "@/lib/messaging";
import { connectionItem, readSyncState, syncStateItem } from "@/lib/storage";
import { fakeWorker, sseStream, stats } from "@/test/fake-worker";
import { setUpMessaging } from "./messaging";

const WORKER = "https://sw.example.dev";
const signedIn = () => connectionItem.setValue({ workerUrl: WORKER, sessionToken: "s3ss10n", login: "octocat" });
const idleStatus = {
  running: false,
  runId: null,
  phase: null,
  progress: null,
  lastSyncedAt: null,
  nextSyncAt: null,
  lastResult: null,
  library: { stars: 0, gone: 0, readmesPending: 0, analysed: 0, embedded: 0 },
};
const done = { total: 3, new_count: 2, updated_count: 1, unstarred_count: 0, runId: "run-1", stats };

/** A repository as the Worker's list, search and similar routes answer it. */
const item = {
  fullName: "a/b",
  name: "b",
  owner: "a",
  ownerAvatarUrl: null,
  description: "d",
  htmlUrl: "https://github.com/a/b",
  homepage: null,
  stargazersCount: 1,
  language: "Go",
  topics: [],
  license: null,
  archived: false,
  fork: false,
  isPrivate: false,
  pushedAt: null,
  starredAt: null,
  isStarred: true,
  isSaved: false,
  unstarredAt: null,
  access: null,
  health: {
    archived: false,
    archivedAt: null,
    disabled: false,
    latestRelease: null,
    lastCommitAt: null,
    checkedAt: null,
    gone: null,
  },
  aiSummary: null,
  aiTags: [],
  aiPlatforms: [],
  openrank: null,
  openrankPeriod: null,
  customDescription: null,
  customTags: [],
  customCategory: null,
  notes: null,
  lastEdited: null,
  watchReleases: false,
  lists: [],
};

describe("background messaging", () => {
  let stop: ReturnType<typeof setUpMessaging>;
  let worker: ReturnType<typeof fakeWorker> | undefined;

  beforeEach(() => {
    fakeBrowser.reset();
    stop = setUpMessaging({ retryBaseMs: 1 });
  });
  afterEach(() => {
    stop();
    worker?.restore();
    worker = undefined;
  });

  it("getStatus reports a fresh install as not connected", async () => {
    await expect(sendMessage("getStatus")).resolves.toEqual({
      connected: false,
      login: null,
      workerUrl: "http://127.0.0.1:8787",
      language: "auto",
      autoSync: true,
    });
  });

  it("signs in with a GitHub token, keeps only the session, and never returns it", async () => {
    worker = fakeWorker({
      "POST /api/auth/token": async (request) => {
        expect(await request.json()).toEqual({ githubToken: "ghp_secret" });
        return Response.json({ sessionToken: "s3ss10n", user: { id: 1, login: "octocat", avatarUrl: null } });
      },
      "GET /api/me": () =>
        Response.json({
          user: { id: 1, login: "octocat", avatarUrl: null, language: "en", autoSync: false, tokenStatus: "valid" },
          sync: { lastSyncedAt: null, nextSyncAt: null },
          library: { starred: 0, saved: 0, gone: 0 },
        }),
      "GET /api/sync/status": () => Response.json(idleStatus),
    });
    const status = await sendMessage("signIn", { workerUrl: `${WORKER}/`, githubToken: " ghp_secret " });
    expect(status).toMatchObject({ connected: true, login: "octocat", workerUrl: WORKER, autoSync: false });
    const stored = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(stored).toContain("s3ss10n");
    expect(stored).not.toContain("ghp_secret");
    expect(JSON.stringify(status)).not.toContain("s3ss10n");
  });

  it("passes a rejected token and an unreachable Worker on as codes", async () => {
    worker = fakeWorker({
      "POST /api/auth/token": () =>
        Response.json({ error: { code: "github_token_invalid", message: "Bad credentials" } }, { status: 401 }),
    });
    await expect(sendMessage("signIn", { workerUrl: WORKER, githubToken: "nope" })).rejects.toMatchObject({
      code: "github_token_invalid",
    });
    worker.restore();
    worker = undefined;
    vi.spyOn(globalThis, "fetch").mockRejectedValueOnce(new TypeError("Failed to fetch"));
    await expect(sendMessage("signIn", { workerUrl: WORKER, githubToken: "x" })).rejects.toMatchObject({
      code: "worker_unreachable",
    });
    expect((await connectionItem.getValue()).sessionToken).toBeNull();
  });

  it("signed out: lookups answer empty and nothing is requested", async () => {
    worker = fakeWorker({});
    await expect(sendMessage("lookup", { fullNames: ["a/b"] })).resolves.toEqual({ items: {} });
    await expect(sendMessage("startSync")).rejects.toMatchObject({ code: "not_connected" });
    await expect(sendMessage("search", { q: "x" })).rejects.toMatchObject({ code: "not_connected" });
    expect(worker.requests).toEqual([]);
  });

  it("a session the Worker no longer knows signs the extension out", async () => {
    await signedIn();
    worker = fakeWorker({
      "POST /api/repositories/lookup": () =>
        Response.json({ error: { code: "unauthorized", message: "expired" } }, { status: 401 }),
    });
    await expect(sendMessage("lookup", { fullNames: ["a/b"] })).rejects.toMatchObject({ code: "unauthorized" });
    expect((await connectionItem.getValue()).sessionToken).toBeNull();
  });

  it("follows a sync to done: stored state, toolbar badge, and a forgotten lookup cache", async () => {
    await signedIn();
    const stream = sseStream();
    let lookups = 0;
    worker = fakeWorker({
      "POST /api/repositories/sync": (request) => {
        expect(request.headers.get("Authorization")).toBe("Bearer s3ss10n");
        expect(request.url).not.toContain("s3ss10n");
        return stream.response();
      },
      "POST /api/repositories/lookup": () => (lookups++, Response.json({ items: {} })),
      "GET /api/sync/status": () =>
        Response.json({
          ...idleStatus,
          lastSyncedAt: "2026-12-01T10:00:00.000Z",
          nextSyncAt: "2026-12-01T11:00:00.000Z",
        }),
    });
    await sendMessage("lookup", { fullNames: ["a/b"] });
    const started = await sendMessage("startSync");
    expect(started.running).toBe(true);

    stream.send("progress", { phase: "analyzing", current: "a/b", completed: 1, total: 2 });
    await vi.waitFor(async () =>
      expect((await readSyncState()).progress).toMatchObject({ phase: "analyzing", completed: 1 }),
    );
    // The whole run's percentage (analysing is 50–80 % of it), not the phase's 47 %.
    expect(await fakeBrowser.action.getBadgeText({})).toBe("65%");
    // A later phase that starts over (its own bar at 0 %) does not take the badge back.
    stream.send("progress", { phase: "fetching", listed: 10, total: 100 });
    await vi.waitFor(async () => expect((await readSyncState()).progress).toMatchObject({ phase: "fetching" }));
    expect(await fakeBrowser.action.getBadgeText({})).toBe("65%");
    stream.send("progress", { phase: "embedding", current: "a/b", completed: 1, total: 2 });
    await vi.waitFor(async () => expect((await readSyncState()).overall).toBe(92.5));
    expect(await fakeBrowser.action.getBadgeText({})).toBe("92%");

    stream.send("done", done);
    await vi.waitFor(async () => expect((await readSyncState()).running).toBe(false));
    const state = await readSyncState();
    expect(state.lastResult).toMatchObject({ ok: true, total: 3, new_count: 2 });
    expect(state.lastSyncedAt).not.toBeNull();
    // The Worker's next auto-sync, read back after the run.
    await vi.waitFor(async () => expect((await readSyncState()).nextSyncAt).toBe("2026-12-01T11:00:00.000Z"));
    expect(await fakeBrowser.action.getBadgeText({})).toBe("");
    await sendMessage("lookup", { fullNames: ["a/b"] });
    expect(lookups).toBe(2);
  });

  it("re-attaches with GET /api/sync/events when the stream drops", async () => {
    await signedIn();
    const first = sseStream();
    const second = sseStream();
    let running = true;
    worker = fakeWorker({
      "POST /api/repositories/sync": () => first.response(),
      "GET /api/sync/status": () =>
        Response.json(
          running
            ? { ...idleStatus, running: true, runId: "run-1", phase: "fetching", progress: { phase: "fetching" } }
            : { ...idleStatus, lastResult: { ok: false, code: "github_rate_limited", message: "later" } },
        ),
      "GET /api/sync/events": () => second.response(),
    });
    await sendMessage("startSync");
    first.send("progress", { phase: "fetching", listed: 100, total: 300 });
    first.fail();
    await vi.waitFor(() => expect(worker!.requests).toContain("GET /api/sync/events"));
    running = false;
    second.send("error", { code: "github_rate_limited", message: "later" });
    await vi.waitFor(async () =>
      expect((await readSyncState()).lastResult).toMatchObject({ ok: false, code: "github_rate_limited" }),
    );
    expect(await fakeBrowser.action.getBadgeText({})).toBe("!");
  });

  it("stops following on an event this build cannot read, with the code that says so", async () => {
    await signedIn();
    const stream = sseStream();
    worker = fakeWorker({ "POST /api/repositories/sync": () => stream.response() });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await sendMessage("startSync");
    stream.send("progress", { phase: "teleporting" });
    await vi.waitFor(async () =>
      expect((await readSyncState()).lastResult).toMatchObject({ ok: false, code: "bad_response" }),
    );
    expect((await readSyncState()).running).toBe(false);
    expect(worker.requests).toEqual(["POST /api/repositories/sync"]);
    logged.mockRestore();
  });

  it("after the service worker wakes, picks up a run the Worker says is going", async () => {
    await signedIn();
    await syncStateItem.setValue({ ...(await readSyncState()), running: true, progress: { phase: "fetching" } });
    const stream = sseStream();
    worker = fakeWorker({
      "GET /api/sync/status": () =>
        Response.json({
          ...idleStatus,
          running: true,
          runId: "run-9",
          phase: "fetched",
          progress: { phase: "fetched", total: 5, needsReadme: 1 },
        }),
      "GET /api/sync/events": () => stream.response(),
    });
    await stop.sync.resume();
    expect((await readSyncState()).progress).toEqual({ phase: "fetched", total: 5, needsReadme: 1 });
    stream.send("done", { ...done, runId: "run-9" });
    await vi.waitFor(async () =>
      expect((await readSyncState()).lastResult).toMatchObject({ ok: true, runId: "run-9" }),
    );
  });

  it("an empty query lists the library, newest first; a query goes to /api/search", async () => {
    await signedIn();
    let query = "";
    worker = fakeWorker({
      "GET /api/repositories": (request) => {
        query = new URL(request.url).search;
        return Response.json({ items: [item], nextCursor: null });
      },
      "GET /api/search": () =>
        Response.json({
          mode: "hybrid",
          items: [{ ...item, score: 1, matchedBy: ["keyword"], snippet: null }],
          related: [],
        }),
    });
    const answer = await sendMessage("search", { q: " ", language: "Go", kind: "starred" });
    expect(answer.mode).toBe("library");
    expect(answer.items.map((card) => card.fullName)).toEqual(["a/b"]);
    expect(new URLSearchParams(query).get("q")).toBeNull();
    expect(new URLSearchParams(query).get("sort")).toBe("starred_at");
    expect(new URLSearchParams(query).get("starred")).toBe("true");
    expect((await sendMessage("search", { q: "bee" })).mode).toBe("hybrid");
    expect(worker.requests).toEqual(["GET /api/repositories", "GET /api/search"]);
  });

  it("similar asks the Worker once and answers one line per repository", async () => {
    await signedIn();
    let query = "";
    worker = fakeWorker({
      "GET /api/repositories/microsoft/playwright/similar": (request) => {
        query = new URL(request.url).search;
        return Response.json({
          mode: "keyword",
          items: [
            { ...item, score: 2, matchedBy: ["keyword"], snippet: null },
            { ...item, fullName: "c/d", aiSummary: "AI words", score: 1, matchedBy: ["keyword"], snippet: null },
            {
              ...item,
              fullName: "e/f",
              aiSummary: "AI",
              customDescription: "mine",
              score: 0,
              matchedBy: [],
              snippet: null,
            },
          ],
        });
      },
    });
    const answer = await sendMessage("similar", { fullName: "microsoft/playwright", limit: 5 });
    expect(answer).toEqual({
      mode: "keyword",
      items: [
        { fullName: "a/b", summary: "d", language: "Go", stargazersCount: 1 },
        { fullName: "c/d", summary: "AI words", language: "Go", stargazersCount: 1 },
        { fullName: "e/f", summary: "mine", language: "Go", stargazersCount: 1 },
      ],
    });
    expect(new URLSearchParams(query).get("limit")).toBe("5");
    expect(worker.requests).toEqual(["GET /api/repositories/microsoft/playwright/similar"]);
  });

  it("similar of a repository the library does not hold passes the Worker's code on", async () => {
    await signedIn();
    worker = fakeWorker({});
    await expect(sendMessage("similar", { fullName: "a/none", limit: 5 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("a newer search cancels the older one of its own page, never another page's", async () => {
    await signedIn();
    const held: Array<() => void> = [];
    worker = fakeWorker({
      "GET /api/search": async (request) => {
        await new Promise<void>((resolve) => held.push(resolve));
        if (request.signal.aborted) throw new DOMException("aborted", "AbortError");
        return Response.json({ mode: "keyword", items: [], related: [] });
      },
    });
    const first = sendMessage("search", { q: "one", page: "tab-1" });
    const other = sendMessage("search", { q: "two", page: "tab-2" });
    await vi.waitFor(() => expect(held).toHaveLength(2));
    const newer = sendMessage("search", { q: "three", page: "tab-1" });
    await vi.waitFor(() => expect(held).toHaveLength(3));
    for (const release of held) release();
    await expect(first).rejects.toMatchObject({ code: "aborted" });
    expect((await other).mode).toBe("keyword");
    expect((await newer).mode).toBe("keyword");
  });
});
