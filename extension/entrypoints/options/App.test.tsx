import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { connectionItem } from "@/lib/storage";
import { useEnglish } from "@/test/i18n";
import { fakeWorker } from "@/test/fake-worker";
import { setUpMessaging } from "../background/messaging";
import { App } from "./App";

// The options page against the real background handlers and a stand-in Worker (fetch at the edge):
// the account's state (re-authorise, an unreachable Worker) and the AI provider's Test.

const WORKER = "https://sw.example.dev";
const HOSTILE = "<img src=x onerror=alert(1)>";
const settings = {
  language: "en",
  autoSync: true,
  chatProvider: { kind: "openai-compatible", baseUrl: null, model: "gpt-4o-mini", hasApiKey: false, isDefault: true },
};
const me = (tokenStatus: "valid" | "invalid") => ({
  user: { id: 1, login: "octocat", avatarUrl: null, language: "en", autoSync: true, tokenStatus },
  sync: { lastSyncedAt: null, nextSyncAt: null },
  library: { starred: 3, saved: 0, gone: 0 },
});

describe("options", () => {
  let root: HTMLElement;
  let stopMessaging: () => void;
  let worker: ReturnType<typeof fakeWorker> | undefined;

  beforeEach(async () => {
    fakeBrowser.reset();
    useEnglish();
    stopMessaging = setUpMessaging();
    await connectionItem.setValue({ workerUrl: WORKER, sessionToken: "s3ss10n", login: "octocat" });
    root = document.createElement("div");
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
    stopMessaging();
    worker?.restore();
  });

  it("an unreachable Worker: says so and offers to try again, which works once it answers", async () => {
    let up = false;
    worker = fakeWorker({
      "GET /api/me": () => {
        if (!up) throw new TypeError("Failed to fetch");
        return Response.json(me("valid"));
      },
      "GET /api/settings": () => Response.json(settings),
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".account-failed")).not.toBeNull());
    expect(root.querySelector(".account-failed")?.getAttribute("data-code")).toBe("worker_unreachable");
    expect(root.querySelector(".account-failed p")?.textContent).toBe(
      "Could not reach the Starwise server to check your account.",
    );
    up = true;
    (root.querySelector(".account-failed button.retry") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(root.querySelector(".account-failed")).toBeNull());
    expect(root.querySelector("form.reauthorise")).toBeNull();
  });

  it("a token GitHub rejected: the reason and a token field; a new token re-authorises", async () => {
    let status: "valid" | "invalid" = "invalid";
    worker = fakeWorker({
      "GET /api/me": () => Response.json(me(status)),
      "GET /api/settings": () => Response.json(settings),
      "POST /api/auth/token": async (request) => {
        expect(await request.json()).toEqual({ githubToken: "ghp_new" });
        status = "valid";
        return Response.json({ sessionToken: "n3w", user: { id: 1, login: "octocat", avatarUrl: null } });
      },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector("form.reauthorise")).not.toBeNull());
    expect(root.querySelector("form.reauthorise h3")?.textContent).toBe("GitHub no longer accepts your token");
    const input = root.querySelector("form.reauthorise input[name=githubToken]") as HTMLInputElement;
    input.value = "ghp_new";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await vi.waitFor(() =>
      expect((root.querySelector("button.reauthorise-submit") as HTMLButtonElement).disabled).toBe(false),
    );
    (root.querySelector("form.reauthorise") as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(root.querySelector("form.reauthorise")).toBeNull());
    expect(root.textContent).toContain("Re-authorised as octocat. Sync again from the popup.");
    expect(worker.requests).toContain("POST /api/auth/token");
  });

  it("shows the provider's words from Test as text, with our explanation", async () => {
    worker = fakeWorker({
      "GET /api/me": () => Response.json(me("valid")),
      "GET /api/settings": () => Response.json(settings),
      "POST /api/settings/test": () =>
        Response.json({
          ok: false,
          kind: "openai-compatible",
          model: "gpt-4o-mini",
          code: "ai_url_refused",
          message: HOSTILE,
          httpStatus: null,
        }),
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector("button.ai-test")).not.toBeNull());
    expect(root.querySelector(".ai-default")?.textContent).toBe(
      "Using this server's default: OpenAI-compatible API, model gpt-4o-mini.",
    );
    (root.querySelector("button.ai-test") as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(root.querySelector(".test-result")?.getAttribute("data-code")).toBe("ai_url_refused"),
    );
    expect(root.querySelector(".test-result .note-text")?.textContent).toMatch(/^The AI provider's address is private/);
    expect(root.querySelector(".test-result .provider-said")?.textContent).toBe(`The provider said: ${HOSTILE}`);
    expect(root.querySelector("img")).toBeNull();
  });

  it("a feed: its address shown once, listed without it, revoked; a sixth says how to make room", async () => {
    const feedUrl = `${WORKER}/feed/swf_${"a".repeat(43)}`;
    let feeds: Array<{ id: number; includePrivate: boolean; createdAt: string; lastReadAt: string | null }> = [];
    const bodies: unknown[] = [];
    worker = fakeWorker({
      "GET /api/me": () => Response.json(me("valid")),
      "GET /api/settings": () => Response.json(settings),
      "GET /api/feeds": () => Response.json({ feeds }),
      "POST /api/feeds": async (request) => {
        bodies.push(await request.json());
        if (feeds.length > 0)
          return Response.json({ error: { code: "conflict", message: "You already have 5 feeds" } }, { status: 409 });
        feeds = [{ id: 7, includePrivate: false, createdAt: "2026-12-06T08:00:00.000Z", lastReadAt: null }];
        return Response.json({ ...feeds[0], url: feedUrl }, { status: 201 });
      },
      "DELETE /api/feeds/7": () => {
        feeds = [];
        return new Response(null, { status: 204 });
      },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector(".feed .none")?.textContent).toBe("No feed address yet."));
    (root.querySelector("button.create-feed") as HTMLButtonElement).click();
    await vi.waitFor(() => expect((root.querySelector(".feed-url") as HTMLInputElement | null)?.value).toBe(feedUrl));
    expect(bodies).toEqual([{ includePrivate: false }]);
    expect(root.querySelector(".feeds li")?.textContent).toContain("not read by a reader yet");

    (root.querySelector("button.create-feed") as HTMLButtonElement).click();
    await vi.waitFor(() =>
      expect(root.querySelector(".feed .note.error")?.textContent).toBe(
        "You already have 5 feed addresses: revoke one you no longer use, then create a new one.",
      ),
    );
    (root.querySelector("button.revoke-feed") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(root.querySelector(".feed .note.ok")?.textContent).toMatch(/^Revoked/));
    // Revoked: the address is gone from the page too.
    expect(root.querySelector(".feed-url")).toBeNull();
    expect(root.querySelector(".feed .none")).not.toBeNull();
  });
});
