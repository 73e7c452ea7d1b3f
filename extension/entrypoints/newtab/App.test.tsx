import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RepositoryItem } from "../../../shared/repositories";
import { connectionItem, IDLE_SYNC_STATE, syncStateItem } from "@/lib/storage";
import { fakeWorker } from "@/test/fake-worker";
import { closePage, openPage, type TestPage } from "@/test/page";
import { App } from "./App";

const repo = (fullName: string, extra: Partial<RepositoryItem> = {}): RepositoryItem => ({
  fullName,
  name: fullName.split("/")[1]!,
  owner: fullName.split("/")[0]!,
  ownerAvatarUrl: null,
  description: `about ${fullName}`,
  htmlUrl: `https://github.com/${fullName}`,
  homepage: null,
  stargazersCount: 1234,
  language: "Rust",
  topics: ["cli"],
  license: null,
  archived: false,
  fork: false,
  isPrivate: false,
  pushedAt: null,
  starredAt: "2026-01-02T00:00:00.000Z",
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
  ...extra,
});

describe("new tab", () => {
  let page: TestPage;
  let root: HTMLElement;
  let worker: ReturnType<typeof fakeWorker> | undefined;
  const queries: string[] = [];

  beforeEach(async () => {
    queries.length = 0;
    // Each test signs in as it needs.
    page = await openPage({ signedIn: false });
    root = page.root;
  });
  afterEach(() => {
    closePage(page, worker);
    worker = undefined;
  });

  const hit = (item: RepositoryItem) => ({ ...item, score: 1, matchedBy: ["keyword"], snippet: null });
  const FACETS = {
    total: 120,
    gone: 0,
    languages: [
      { value: "Rust", count: 80 },
      { value: "Haskell", count: 40 },
    ],
    tags: [{ value: "cli", count: 12 }],
  };
  /** The library (an empty query) and `/api/search` (a query) of a Worker holding `items`. */
  const library = (items: RepositoryItem[]) =>
    fakeWorker({
      "GET /api/repositories/facets": () => Response.json(FACETS),
      "GET /api/repositories": (request) => {
        const params = new URL(request.url).searchParams;
        queries.push(params.get("language") ? `language=${params.get("language")}` : "");
        return Response.json({
          items: items.filter((item) => !params.get("language") || item.language === params.get("language")),
          nextCursor: null,
        });
      },
      "GET /api/search": (request) => {
        const q = new URL(request.url).searchParams.get("q") ?? "";
        queries.push(q);
        return Response.json({
          mode: "hybrid",
          items: items.filter((item) => item.fullName.includes(q)).map(hit),
          related: [],
        });
      },
    });
  const type = (value: string) => {
    const box = root.querySelector("input.search") as HTMLInputElement;
    box.value = value;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const names = () => [...root.querySelectorAll(".result .name")].map((link) => link.textContent);

  it("signed out: says so and asks the Worker nothing", async () => {
    worker = fakeWorker({});
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".signed-out")?.textContent).toContain("Sign in to search your stars."),
    );
    expect(worker.requests).toEqual([]);
  });

  it("before the first sync: offers to sync", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    await syncStateItem.setValue(IDLE_SYNC_STATE);
    worker = library([]);
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".empty")?.textContent).toContain("Your stars have not been synced yet."),
    );
  });

  it("shows recent stars, searches as you type (debounced), and moves the selection with the keyboard", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    worker = library([
      repo("tokio-rs/tokio"),
      repo("rust-lang/rust"),
      repo("zed-industries/zed", { homepage: "javascript:alert(1)" }),
    ]);
    render(<App />, root);
    await vi.waitFor(() => expect(names()).toEqual(["tokio-rs/tokio", "rust-lang/rust", "zed-industries/zed"]));
    await vi.waitFor(() =>
      expect(root.querySelector(".mode")?.textContent).toBe("Recently starred: the newest 3 of 120"),
    );
    expect(root.querySelector(".result a.homepage")).toBeNull();
    expect(document.activeElement).toBe(root.querySelector("input.search"));

    type("r");
    type("ru");
    type("rust");
    await vi.waitFor(() => expect(names()).toEqual(["rust-lang/rust"]));
    // One request for the burst of keystrokes (after the empty query's).
    expect(queries).toEqual(["", "rust"]);

    type("");
    await vi.waitFor(() => expect(names()).toHaveLength(3));
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    await vi.waitFor(() =>
      expect(root.querySelector(".result.selected .name")?.textContent).toBe("zed-industries/zed"),
    );
    document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true }));
    await vi.waitFor(() => expect(root.querySelector(".result.selected .name")?.textContent).toBe("rust-lang/rust"));
  });

  it("shows each card's health as chips, counts gone stars apart, and watches releases from the card", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    const healthy = repo("a/healthy").health;
    const items = [
      repo("a/released", {
        health: {
          ...healthy,
          latestRelease: { tag: "v1.2\u202E", name: null, publishedAt: "2026-11-30T00:00:00Z", prerelease: false },
        },
      }),
      repo("a/archived", { health: { ...healthy, archived: true, archivedAt: "2026-10-01T00:00:00Z" } }),
      repo("a/quiet", {
        health: { ...healthy, lastCommitAt: new Date(Date.now() - 3.2 * 365.25 * 86_400_000).toISOString() },
      }),
      repo("a/disabled", { health: { ...healthy, disabled: true } }),
      repo("a/deleted", { health: { ...healthy, gone: { reason: "deleted", at: "2026-12-01T00:00:00Z" } } }),
    ];
    const patches: unknown[] = [];
    worker = fakeWorker({
      "GET /api/repositories/facets": () => Response.json({ ...FACETS, total: 4, gone: 1 }),
      "GET /api/repositories": () => Response.json({ items, nextCursor: null }),
      "PATCH /api/repositories/a/released": async (request) => {
        const patch = (await request.json()) as { watchReleases: boolean };
        patches.push(patch);
        return Response.json({ ...items[0], watchReleases: patch.watchReleases });
      },
    });
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".mode")?.textContent).toBe(
        "Recently starred: the newest 5 of 4, and 1 gone from GitHub (kept with your notes)",
      ),
    );
    const chips = (name: string) =>
      [...root.querySelectorAll(`[id="result-${name}"] .chip.health`)].map((chip) => [
        chip.getAttribute("data-kind"),
        chip.textContent,
      ]);
    expect(chips("a/released")).toEqual([["release", "v1.2 released Nov 30, 2026"]]);
    expect(chips("a/archived")).toEqual([["archived", "Archived"]]);
    expect(chips("a/quiet")).toEqual([["quiet", "Quiet for 3 years"]]);
    expect(chips("a/disabled")).toEqual([["disabled", "Disabled by GitHub"]]);
    expect(chips("a/deleted")).toEqual([["gone", "Gone: deleted"]]);
    expect(root.querySelector('[id="result-a/deleted"]')?.hasAttribute("data-gone")).toBe(true);
    // A gone star has nothing to watch; the others can be watched from the card.
    expect(root.querySelector('[id="result-a/deleted"] button.watch')).toBeNull();
    const watch = root.querySelector('[id="result-a/released"] button.watch') as HTMLButtonElement;
    expect([watch.textContent, watch.getAttribute("aria-pressed")]).toEqual(["Watch releases", "false"]);
    watch.click();
    await vi.waitFor(() => expect(watch.getAttribute("aria-pressed")).toBe("true"));
    expect(watch.textContent).toContain("Watching releases");
    expect(patches).toEqual([{ watchReleases: true }]);
  });

  it("offers the whole library's languages and tags with counts, and says how many of how many", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    worker = library([repo("tokio-rs/tokio"), repo("rust-lang/rust")]);
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".mode")?.textContent).toBe("Recently starred: the newest 2 of 120"),
    );
    const options = (name: string) =>
      [...root.querySelectorAll(`select[name=${name}] option`)].map((option) => option.textContent);
    // Haskell is in none of the cards on screen: it comes from the library's facets.
    expect(options("language")).toEqual(["Any language", "Rust (80)", "Haskell (40)"]);
    expect(options("tag")).toEqual(["Any tag", "cli (12)"]);
    const select = root.querySelector("select[name=language]") as HTMLSelectElement;
    select.value = "Haskell";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() =>
      expect(root.querySelector(".no-match, .empty .headline")?.textContent).toBe(
        "None of your stars fits these filters.",
      ),
    );
    expect(queries).toEqual(["", "language=Haskell"]);
    expect(location.search).toBe("?language=Haskell");
    (root.querySelector("button.clear-filters") as HTMLButtonElement).click();
    await vi.waitFor(() => expect(names()).toHaveLength(2));
    expect(location.search).toBe("");
  });

  it("filters by GitHub List and by in no List, shows List chips, and says why Lists are read-only", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    const listed: string[] = [];
    worker = fakeWorker({
      "GET /api/repositories/facets": () => Response.json(FACETS),
      "GET /api/lists": () =>
        Response.json({
          lists: [
            {
              id: "UL_1",
              name: "Rust <b>things</b>",
              slug: "rust-b-things-b",
              description: null,
              isPrivate: false,
              itemCount: 3,
              inLibrary: 2,
              linkedTag: null,
              url: "https://github.com/stars/octocat/lists/rust-b-things-b",
            },
          ],
          notInAnyList: 118,
          write: { canWrite: false, reason: "missing-scope", scopes: "repo" },
          readAt: "2026-12-06T08:00:00.000Z",
          error: null,
        }),
      "GET /api/repositories": (request) => {
        const params = new URL(request.url).searchParams;
        listed.push(`list=${params.get("list") ?? ""} unlisted=${params.get("unlisted") ?? ""}`);
        return Response.json({
          items: [repo("tokio-rs/tokio", { lists: ["Rust <b>things</b>"] })],
          nextCursor: null,
        });
      },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector("select[name=list]")).not.toBeNull());
    await vi.waitFor(() => expect(root.querySelector(".list-chip")).not.toBeNull());
    const options = [...root.querySelectorAll("select[name=list] option")].map((option) => option.textContent);
    expect(options).toEqual(["Any GitHub List", "Rust <b>things</b> (2)", "In no List (118)"]);
    // A List's name is text, never markup.
    expect(root.querySelector(".list-chip")?.textContent).toBe("Rust <b>things</b>");
    expect(root.querySelector(".list-chip b")).toBeNull();
    expect(root.querySelector(".lists-note")?.textContent).toContain("needs a classic token with the “user” scope");
    const select = root.querySelector("select[name=list]") as HTMLSelectElement;
    select.value = " none";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(listed.at(-1)).toBe("list= unlisted=true"));
    expect(location.search).toBe("?unlisted=1");
    select.value = "Rust <b>things</b>";
    select.dispatchEvent(new Event("change", { bubbles: true }));
    await vi.waitFor(() => expect(listed.at(-1)).toBe("list=Rust <b>things</b> unlisted="));
  });

  it("keeps a language from the URL chosen when the facets arrive after the first drawing", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    history.replaceState(null, "", "/newtab.html?language=haskell");
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (release = resolve));
    worker = fakeWorker({
      "GET /api/repositories/facets": async () => {
        await arrived;
        return Response.json(FACETS);
      },
      "GET /api/repositories": () => Response.json({ items: [repo("haskell/ghc")], nextCursor: null }),
    });
    render(<App />, root);
    const select = () => root.querySelector("select[name=language]") as HTMLSelectElement;
    await vi.waitFor(() => expect(names()).toEqual(["haskell/ghc"]));
    expect(select().value).toBe("haskell");
    release();
    await vi.waitFor(() => expect(select().options.length).toBe(3));
    // The library's spelling, and still chosen.
    await vi.waitFor(() => expect(select().value).toBe("Haskell"));
    expect(select().selectedOptions[0]?.textContent).toBe("Haskell (40)");
  });

  it("asks for the facets again as a sync lists more stars, so the total keeps up", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    const fetching = (listed: number) => ({
      ...IDLE_SYNC_STATE,
      running: true,
      runId: "run-1",
      progress: { phase: "fetching" as const, listed, total: 300 },
    });
    await syncStateItem.setValue(fetching(100));
    let total = 100;
    worker = fakeWorker({
      "GET /api/repositories/facets": () => Response.json({ ...FACETS, total }),
      "GET /api/repositories": () => Response.json({ items: [repo("a/one"), repo("a/two")], nextCursor: null }),
    });
    render(<App />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".mode")?.textContent).toBe("Recently starred: the newest 2 of 100"),
    );
    total = 200;
    await syncStateItem.setValue(fetching(200));
    await vi.waitFor(() =>
      expect(root.querySelector(".mode")?.textContent).toBe("Recently starred: the newest 2 of 200"),
    );
    expect(worker.requests.filter((line) => line.endsWith("/facets"))).toHaveLength(2);
  });

  it("says so when nothing matches, with the words searched and what to try", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    worker = library([repo("tokio-rs/tokio")]);
    render(<App />, root);
    await vi.waitFor(() => expect(names()).toHaveLength(1));
    type("zzqx nothing");
    await vi.waitFor(() =>
      expect(root.querySelector(".no-match .headline")?.textContent).toBe("No stars match “zzqx nothing”"),
    );
    expect(root.querySelector(".no-match .hint")?.textContent).toContain("Try other or fewer words");
    expect(root.querySelector(".no-match button.clear-filters")).toBeNull();
  });

  it("keeps the search in the URL: read on load, written as you type, restored by Back", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    history.replaceState(null, "", "/newtab.html?q=tokio&kind=nonsense");
    worker = library([repo("tokio-rs/tokio"), repo("rust-lang/rust")]);
    render(<App />, root);
    await vi.waitFor(() => expect(names()).toEqual(["tokio-rs/tokio"]));
    expect((root.querySelector("input.search") as HTMLInputElement).value).toBe("tokio");
    expect(root.querySelector(".mode")?.textContent).toBe("Matches: 1");
    // What it could not read is dropped from the URL, without a history entry of its own.
    expect(location.search).toBe("?q=tokio");
    const entries = history.length;
    type("rust");
    await vi.waitFor(() => expect(names()).toEqual(["rust-lang/rust"]));
    expect(location.search).toBe("?q=rust");
    expect(history.length).toBe(entries + 1);
    // Back (the browser sets the URL, then says popstate).
    history.replaceState(null, "", "/newtab.html?q=tokio");
    dispatchEvent(new PopStateEvent("popstate"));
    await vi.waitFor(() => expect(names()).toEqual(["tokio-rs/tokio"]));
    expect((root.querySelector("input.search") as HTMLInputElement).value).toBe("tokio");
  });

  it("drops the answer to an older query", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    let releaseSlow!: () => void;
    worker = fakeWorker({
      "GET /api/repositories": () => Response.json({ items: [repo("recent/match")], nextCursor: null }),
      "GET /api/search": async (request) => {
        const q = new URL(request.url).searchParams.get("q") ?? "";
        if (q === "slow") await new Promise<void>((resolve) => (releaseSlow = resolve));
        return Response.json({ mode: "hybrid", items: [hit(repo(`${q}/match`))], related: [] });
      },
    });
    render(<App />, root);
    await vi.waitFor(() => expect(names()).toEqual(["recent/match"]));
    type("slow");
    await vi.waitFor(() => expect(releaseSlow).toBeTypeOf("function"));
    // The cards on screen are still the library's, and the line above them says so.
    expect(root.querySelector(".mode")?.textContent).toBe("Recently starred");
    type("fast");
    await vi.waitFor(() => expect(names()).toEqual(["fast/match"]));
    releaseSlow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(names()).toEqual(["fast/match"]);
  });

  it("says why GitHub will not show a repository, with the fix for single sign-on", async () => {
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
    const access = {
      state: "sso" as const,
      message: "Resource protected by organization SAML enforcement.",
      url: "https://github.com/orgs/acme/sso?authorization_request=A",
      checkedAt: null,
    };
    worker = library([
      repo("acme/internal", { access }),
      repo("acme/blocked", { access: { ...access, state: "blocked", url: null } }),
      repo("acme/fine"),
    ]);
    render(<App />, root);
    await vi.waitFor(() => expect(names()).toHaveLength(3));
    const notes = [...root.querySelectorAll(".result .access")];
    expect(notes.map((note) => note.getAttribute("data-state"))).toEqual(["sso", "blocked"]);
    expect(notes[0]!.textContent).toContain("requires single sign-on");
    expect(notes[0]!.querySelector("a")?.getAttribute("href")).toBe(access.url);
    expect(notes[1]!.querySelector("a")).toBeNull();
  });
});
