import { beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import type { LibraryIndex } from "../../../shared/repositories";
import { useCatalog } from "@/lib/i18n";
import { MessageError } from "@/lib/message-error";
import { connectionItem, libraryIndexItem, syncStateItem, IDLE_SYNC_STATE } from "@/lib/storage";
import { useEnglish } from "@/test/i18n";
import { createLibraryIndex, INDEX_STALE_MS } from "./library-index";
import { createOmnibox } from "./omnibox";

const INDEX: LibraryIndex = {
  generatedAt: "2026-12-06T00:00:00.000Z",
  items: [
    { fullName: "tokio-rs/tokio", summary: "An async runtime for Rust", tags: ["async"], starred: true },
    { fullName: "evil/x", summary: "<b>bold</b> & \u202Eoverride", tags: [], starred: true },
  ],
};

const signIn = (login = "octocat") =>
  connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "s", login });

function setUp(options: { fetchIndex?: () => Promise<LibraryIndex>; xml?: boolean; now?: () => number } = {}) {
  const fetchIndex = vi.fn(options.fetchIndex ?? (async () => INDEX));
  const index = createLibraryIndex({
    fetchIndex,
    login: async () => (await connectionItem.getValue()).login,
    ...(options.now ? { now: options.now } : {}),
  });
  const open = vi.fn(async () => undefined);
  const startSync = vi.fn(async () => undefined);
  const omnibox = createOmnibox({
    index,
    xml: options.xml ?? true,
    open,
    startSync,
    applyLanguage: async () => useEnglish(),
  });
  return { omnibox, index, fetchIndex, open, startSync };
}

describe("the address bar", () => {
  beforeEach(async () => {
    fakeBrowser.reset();
    await syncStateItem.setValue({ ...IDLE_SYNC_STATE, lastSyncedAt: "2026-12-05T00:00:00.000Z" });
  });

  it("signed out: one line that says to sign in, nothing asked; Enter opens the options", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: null, login: null });
    const { omnibox, fetchIndex, open } = setUp();
    const answer = await omnibox.input("tokio");
    expect(answer).toMatchObject({ state: "signed-out", suggestions: [] });
    expect(answer.default).toMatch(/sign in/i);
    expect(fetchIndex).not.toHaveBeenCalled();
    expect(await omnibox.enter("tokio", "currentTab")).toMatch(/\/options\.html$/);
    expect(open).toHaveBeenCalledWith(expect.stringMatching(/\/options\.html$/), "currentTab");
  });

  it("suggests from the index asked for once; Enter on a suggestion opens the repository", async () => {
    await signIn();
    const { omnibox, fetchIndex, open } = setUp();
    const first = await omnibox.input("tok");
    expect(first.state).toBe("matches");
    expect(first.suggestions).toEqual([
      {
        content: "https://github.com/tokio-rs/tokio",
        description: "<match>tok</match>io-rs/<match>tok</match>io<dim> — An async runtime for Rust · async</dim>",
      },
    ]);
    expect(first.default).toBe("Search your stars for “tok” in the new tab");
    await omnibox.input("toki");
    await omnibox.input("tokio");
    expect(fetchIndex).toHaveBeenCalledTimes(1);
    expect(await omnibox.enter("https://github.com/tokio-rs/tokio", "newForegroundTab")).toBe(
      "https://github.com/tokio-rs/tokio",
    );
    expect(open).toHaveBeenLastCalledWith("https://github.com/tokio-rs/tokio", "newForegroundTab");
  });

  it("Enter on the typed words opens the new tab's results for them", async () => {
    await signIn();
    const { omnibox } = setUp();
    expect(await omnibox.enter("  async   rust ", "currentTab")).toMatch(/\/newtab\.html\?q=async\+rust$/);
    expect(await omnibox.enter("", "currentTab")).toMatch(/\/newtab\.html$/);
    // Not a repository URL: searched for, never opened as a link.
    expect(await omnibox.enter("javascript:alert(1)", "currentTab")).toMatch(/\/newtab\.html\?q=javascript/);
    expect(await omnibox.enter("https://github.com/a/b/../../evil", "currentTab")).toMatch(/newtab\.html/);
  });

  it("escapes untrusted text and the typed words for Chrome, and gives Firefox plain text", async () => {
    await signIn();
    const chrome = await setUp().omnibox.input("bold");
    expect(chrome.suggestions[0]!.description).toBe(
      "evil/x<dim> — &lt;b&gt;<match>bold</match>&lt;/b&gt; &amp; override</dim>",
    );
    const typed = await setUp().omnibox.input("<url>&</url> zzz");
    expect(typed.default).toBe(
      "No star's name, tags or summary has “&lt;url&gt;&amp;&lt;/url&gt; zzz” — " +
        "press Enter to search by meaning in the new tab",
    );
    fakeBrowser.reset();
    await signIn();
    const firefox = await setUp({ xml: false }).omnibox.input("bold");
    expect(firefox.suggestions[0]!.description).toBe("evil/x — <b>bold</b> & override");
  });

  it("nothing matches: says so and what Enter does", async () => {
    await signIn();
    const answer = await setUp().omnibox.input("qwzxjv");
    expect(answer).toMatchObject({ state: "no-match", suggestions: [] });
  });

  it("never synced: says so, and Enter starts the sync and opens the new tab", async () => {
    await signIn();
    await syncStateItem.setValue(IDLE_SYNC_STATE);
    const { omnibox, startSync } = setUp({ fetchIndex: async () => ({ ...INDEX, items: [] }) });
    const answer = await omnibox.input("tokio");
    expect(answer.state).toBe("not-synced");
    expect(answer.default).toMatch(/not synced yet/);
    expect(await omnibox.enter("tokio", "currentTab")).toMatch(/newtab\.html\?q=tokio$/);
    expect(startSync).toHaveBeenCalledTimes(1);
  });

  it("the Worker unreachable: one line with the reason", async () => {
    await signIn();
    const { omnibox } = setUp({
      fetchIndex: async () => {
        throw new MessageError("worker_unreachable", "https://sw.example.dev did not answer");
      },
    });
    const answer = await omnibox.input("tokio");
    expect(answer.state).toBe("failed");
    expect(answer.default).toContain("did not answer");
  });

  it("a woken background suggests from storage without asking the Worker", async () => {
    await signIn();
    await setUp().omnibox.input("tokio");
    expect(await libraryIndexItem.getValue()).toMatchObject({ login: "octocat", items: JSON.stringify(INDEX.items) });
    const woken = setUp();
    expect((await woken.omnibox.input("tokio")).suggestions).toHaveLength(1);
    expect(woken.fetchIndex).not.toHaveBeenCalled();
  });

  it("a malformed stored index is asked for again", async () => {
    await signIn();
    await libraryIndexItem.setValue({ login: "octocat", fetchedAt: Date.now(), items: '[{"fullName":1}]' });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { omnibox, fetchIndex } = setUp();
    expect((await omnibox.input("tokio")).suggestions).toHaveLength(1);
    expect(fetchIndex).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it("another account's stored index is never shown; sign-out forgets it", async () => {
    await signIn("someone-else");
    const first = setUp();
    await first.omnibox.input("tokio");
    await signIn("octocat");
    const second = setUp({ fetchIndex: async () => ({ ...INDEX, items: [] }) });
    expect((await second.omnibox.input("tokio")).suggestions).toEqual([]);
    expect(second.fetchIndex).toHaveBeenCalledTimes(1);
    await second.index.clear();
    expect(await libraryIndexItem.getValue()).toBeNull();
  });

  it("an old index answers at once and is asked again behind it", async () => {
    await signIn();
    let clock = 1_000;
    const { omnibox, fetchIndex } = setUp({ now: () => clock });
    await omnibox.input("tokio");
    clock += INDEX_STALE_MS;
    expect((await omnibox.input("tokio")).suggestions).toHaveLength(1);
    await vi.waitFor(() => expect(fetchIndex).toHaveBeenCalledTimes(2));
  });

  it("an edit made here shows at once: the tags of its entry, in its place", async () => {
    await signIn();
    const { omnibox, index } = setUp();
    await omnibox.input("x");
    await index.put({
      fullName: "tokio-rs/tokio",
      starred: true,
      saved: false,
      starredAt: null,
      aiSummary: null,
      aiTags: [],
      aiPlatforms: [],
      openrank: null,
      customTags: ["favourite"],
      customCategory: null,
      customDescription: null,
      notes: null,
    });
    const answer = await omnibox.input("favourite");
    expect(answer.suggestions.map((s) => s.content)).toEqual(["https://github.com/tokio-rs/tokio"]);
    expect(JSON.parse((await libraryIndexItem.getValue())!.items)[0]).toMatchObject({
      fullName: "tokio-rs/tokio",
      tags: ["favourite"],
      summary: "An async runtime for Rust",
    });
    useCatalog(null);
  });
});
