import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { connectionItem, digestVisitItem, IDLE_SYNC_STATE, syncStateItem } from "@/lib/storage";
import { fakeWorker } from "@/test/fake-worker";
import { useChinese, useEnglish } from "@/test/i18n";
import { setUpMessaging } from "../background/messaging";
import { App } from "./App";

const HOSTILE = "<img src=x onerror=alert(1)>";
const signIn = (login = "octocat") =>
  connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login });

describe("popup", () => {
  let root: HTMLElement;
  let stopMessaging: () => void;

  beforeEach(() => {
    fakeBrowser.reset();
    useEnglish();
    // The real background handlers answer over fakeBrowser's runtime messaging.
    stopMessaging = setUpMessaging();
    root = document.createElement("div");
    document.body.append(root);
  });

  afterEach(() => {
    render(null, root);
    root.remove();
    stopMessaging();
  });

  const text = () => root.textContent ?? "";

  it("shows the not-connected state on a fresh install", async () => {
    render(<App />, root);
    expect(root.querySelector("h1")?.textContent).toBe("Starwise");
    await vi.waitFor(() => expect(text()).toContain("Not connected — sign in on the options page."));
    expect(root.querySelector("button.sync")).toBeNull();
  });

  it("shows the login and a Sync button when connected, never the session", async () => {
    await signIn();
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".login")?.textContent).toBe("octocat"));
    expect(text()).toContain("https://sw.example.dev");
    expect(text()).not.toContain("Not connected");
    expect(root.querySelector("button.sync")?.textContent).toBe("Sync");
  });

  it("renders a hostile login as text, never as HTML", async () => {
    await signIn(HOSTILE);
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".login")?.textContent).toBe(HOSTILE));
    expect(root.querySelector("img")).toBeNull();
  });

  it("draws a running sync at once from stored state: phase label and bar", async () => {
    await signIn();
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      running: true,
      runId: "r",
      progress: { phase: "saving", savedCount: 1, saveTotal: 2 },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".phase")?.textContent).toBe("Saving the analysis (1 of 2)"));
    expect(root.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("97.5");
    expect((root.querySelector("button.sync") as HTMLButtonElement).disabled).toBe(true);
    // Live: the background writes the next event, the popup follows.
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      running: true,
      runId: "r",
      progress: { phase: "embedding", current: "a/b", completed: 1, total: 4 },
    });
    await vi.waitFor(() => expect(root.querySelector(".phase")?.textContent).toBe("Embedding a/b (1 of 4)"));
  });

  it("a wait says what it waits for and until when, never a silent bar", async () => {
    await signIn();
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      running: true,
      runId: "r",
      progress: { phase: "fetching", listed: 300, total: 900, wait: { for: "github", until: Date.now() + 45_000 } },
    });
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".progress .wait")?.textContent).toMatch(
        /^Waiting for GitHub's rate limit: resumes at .+ \(in 4[56] s\)\.$/,
      ),
    );
    expect(root.querySelector(".phase")?.textContent).toBe("Listing your stars: 300 of 900");
  });

  it("says why a finished run left summaries out, with the fix and the provider's words as text", async () => {
    await signIn();
    const stats = { requests: { rest: 1, restNotModified: 0, graphql: 0 }, graphqlPoints: 0, rowsWritten: 0 };
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      lastResult: {
        ok: true,
        finishedAt: Date.now(),
        total: 50,
        new_count: 50,
        updated_count: 0,
        unstarred_count: 0,
        runId: "r",
        stats: {
          ...stats,
          readmesFetched: 0,
          failures: 0,
          enrichment: {
            analysed: 0,
            reused: 0,
            failed: 0,
            pending: 50,
            chatCalls: 1,
            inputTokens: 0,
            outputTokens: 0,
            openrank: 0,
            opendiggerRequests: 0,
            embedded: 50,
            embeddingRequests: 1,
            stops: [{ phase: "analyse", code: "ai_key_rejected", message: HOSTILE, pending: 50, failed: 0 }],
          },
        },
      },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".stop")?.getAttribute("data-code")).toBe("ai_key_rejected"));
    expect(root.querySelector(".stop-what")?.textContent).toBe("50 repositories wait for their summary.");
    expect(root.querySelector(".stop-why")?.textContent).toBe(
      "AI key rejected: the provider refused the API key. Enter a valid key in the options.",
    );
    expect(root.querySelector(".provider-said")?.textContent).toBe(`The provider said: ${HOSTILE}`);
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector(".stop button.fix")?.textContent).toBe("Open options");
    useChinese();
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".stop-what")?.textContent).toBe("50 个仓库的摘要尚未生成。"));
  });

  it("shows the last result and an error with the action that fixes it", async () => {
    await signIn();
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      lastSyncedAt: "2026-11-30T10:00:00.000Z",
      nextSyncAt: "2026-11-30T11:00:00.000Z",
      lastResult: { ok: false, code: "github_token_invalid", message: "Bad credentials", finishedAt: 1 },
    });
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector("[role=alert]")?.getAttribute("data-code")).toBe("github_token_invalid"),
    );
    expect(root.querySelector(".error-text")?.textContent).toBe(
      "GitHub rejected your token. Sign in again with a new token.",
    );
    expect(root.querySelector("[role=alert] button")?.textContent).toBe("Open options");
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      lastSyncedAt: "2026-11-30T10:00:00.000Z",
      lastResult: {
        ok: true,
        total: 10,
        new_count: 2,
        updated_count: 3,
        unstarred_count: 1,
        runId: "r",
        stats: {
          requests: { rest: 0, restNotModified: 0, graphql: 1 },
          graphqlPoints: 1,
          rowsWritten: 0,
          readmesFetched: 0,
          failures: 0,
        },
        finishedAt: 2,
      },
    });
    await vi.waitFor(() =>
      expect(root.querySelector(".last-result")?.textContent).toBe("10 stars · 2 new · 3 updated · 1 unstarred"),
    );
    expect(root.querySelector("[role=alert]")).toBeNull();
    expect(root.querySelector(".last-result-note")).toBeNull();
  });

  it("says when GitHub refused repositories to the token, and that they stay starred", async () => {
    await signIn();
    await syncStateItem.setValue({
      ...IDLE_SYNC_STATE,
      lastSyncedAt: "2026-11-30T10:00:00.000Z",
      lastResult: {
        ok: true,
        total: 10,
        new_count: 0,
        updated_count: 0,
        unstarred_count: 0,
        runId: "r",
        stats: {
          requests: { rest: 0, restNotModified: 0, graphql: 1 },
          graphqlPoints: 1,
          rowsWritten: 0,
          readmesFetched: 0,
          failures: 0,
          listing: { passes: 1, drifted: false, partial: true, stillStarred: 0, refused: 2, deferred: 0 },
        },
        finishedAt: 2,
      },
    });
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".last-result-note")?.textContent).toContain("GitHub refuses 2 of your repositories"),
    );
  });

  it("speaks Chinese when that catalog is chosen", async () => {
    useChinese();
    render(<App />, root);
    await vi.waitFor(() => expect(text()).toContain("未连接 — 请在设置页登录。"));
  });

  it("shows an error when the background does not answer", async () => {
    stopMessaging();
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector("[role=alert]")).not.toBeNull());
    expect(text()).not.toContain("Not connected");
  });

  it("one line counts the changes since the last visit; a click opens the new tab's panel", async () => {
    await signIn();
    const visit = Date.UTC(2026, 11, 1);
    await digestVisitItem.setValue({ previous: null, current: visit });
    const asked: string[] = [];
    const section = { total: 0, items: [] };
    const worker = fakeWorker({
      "GET /api/digest": (request) => {
        asked.push(new URL(request.url).searchParams.get("since") ?? "");
        return Response.json({
          since: new Date(visit).toISOString(),
          until: new Date(visit).toISOString(),
          quietYears: 2,
          changes: 3,
          releases: { ...section, total: 2 },
          archived: { ...section, total: 1 },
          gone: section,
          unstarred: section,
          quiet: { ...section, total: 40, newSince: 0 },
          resurfaced: [],
        });
      },
    });
    try {
      const create = vi.spyOn(fakeBrowser.tabs, "create");
      const close = vi.spyOn(window, "close").mockImplementation(() => undefined);
      render(<App />, root);
      await vi.waitFor(() =>
        expect(root.querySelector(".digest-line")?.textContent).toBe("3 changes in your stars since your last visit"),
      );
      expect(asked).toEqual([new Date(visit).toISOString()]);
      (root.querySelector(".digest-line") as HTMLButtonElement).click();
      expect(create).toHaveBeenCalledWith({ url: expect.stringMatching(/\/newtab\.html#digest$/) });
      expect(close).toHaveBeenCalled();
    } finally {
      worker.restore();
    }
  });
});
