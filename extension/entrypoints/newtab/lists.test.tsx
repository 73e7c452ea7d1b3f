import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { GithubList, ListWriteAccess } from "../../../shared/lists";
import type { TagSummary } from "../../../shared/tags";
import { fakeWorker } from "@/test/fake-worker";
import { closePage, openPage, type TestPage } from "@/test/page";
import { useChinese } from "@/test/i18n";
import { App } from "./App";

const HOSTILE = "<img src=x onerror=alert(1)>";
const WRITABLE: ListWriteAccess = { canWrite: true, scopes: "repo, user" };
const READ_ONLY: ListWriteAccess = { canWrite: false, reason: "missing-scope", scopes: "repo" };
const LIMIT = 'GitHub allows no more Lists on this account. GitHub said: "You can\'t create more than 32 lists."';

const tag = (name: string, customCount: number, aiCount = 0): TagSummary => ({
  tag: name,
  count: Math.max(customCount, aiCount),
  customCount,
  aiCount,
  source: customCount && aiCount ? "both" : customCount ? "custom" : "ai",
  aiSpellings: [],
});
const TAGS = [tag("rust", 3), tag("ai-only", 0, 2)];

const list = (extra: Partial<GithubList> = {}): GithubList => ({
  id: "UL_1",
  name: "Tools",
  slug: "tools",
  description: null,
  isPrivate: false,
  itemCount: 2,
  inLibrary: 2,
  linkedTag: null,
  url: "https://github.com/stars/octocat/lists/tools",
  ...extra,
});
const MADE = list({
  id: "UL_9",
  name: "rust",
  slug: "rust",
  linkedTag: "rust",
  itemCount: 3,
  inLibrary: 3,
  url: "https://github.com/stars/octocat/lists/rust",
});

const failure = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message } }, { status });

/** Our sentence without the direction isolates around the names in it. */
const plain = (text: string | null | undefined) => (text ?? "").replace(/[\u2068\u2069]/g, "");

describe("GitHub Lists in the new tab's tags view", () => {
  let page: TestPage;
  let root: HTMLElement;
  let worker: ReturnType<typeof fakeWorker> | undefined;
  const bodies: unknown[] = [];

  beforeEach(async () => {
    bodies.length = 0;
    page = await openPage();
    root = page.root;
  });
  afterEach(() => {
    closePage(page, worker);
    worker = undefined;
  });

  /** A Worker with these Lists (read again on every `GET /api/lists`) and these answers to the writes. */
  const serve = (
    state: { lists: GithubList[]; write: ListWriteAccess },
    writes: Record<string, (request: Request) => Response | Promise<Response>>,
    tags: TagSummary[] = TAGS,
  ) => {
    worker = fakeWorker({
      "GET /api/repositories/facets": () => Response.json({ total: 5, gone: 0, languages: [], tags: [] }),
      "GET /api/repositories": () => Response.json({ items: [], nextCursor: null }),
      "GET /api/tags": () => Response.json({ tags, hidden: [] }),
      "GET /api/tags/proposals": () => Response.json({ proposals: [] }),
      "GET /api/lists": () =>
        Response.json({ ...state, notInAnyList: 1, readAt: "2026-12-06T08:00:00.000Z", error: null }),
      ...Object.fromEntries(
        Object.entries(writes).map(([route, answer]) => [
          route,
          async (request: Request) => {
            bodies.push(await request.json());
            return answer(request);
          },
        ]),
      ),
    });
  };
  const listsRead = () => worker!.requests.filter((line) => line === "GET /api/lists").length;

  /** The new tab with its tags view opened, the Lists loaded. */
  const open = async () => {
    render(<App />, root);
    await vi.waitFor(() => expect(root.querySelector("details.tags-panel")).not.toBeNull());
    const details = root.querySelector<HTMLDetailsElement>("details.tags-panel")!;
    details.open = true;
    details.dispatchEvent(new Event("toggle"));
    await vi.waitFor(() => expect(root.querySelector(".tags-row[data-tag='rust']")).not.toBeNull());
    await vi.waitFor(() => expect(listsRead()).toBeGreaterThan(0));
  };
  const row = (name: string) => root.querySelector(`.tags-row[data-tag='${name}']`)!;
  const listRow = (name: string) => root.querySelector(`.lists-row[data-list='${name}']`)!;
  const notice = () => root.querySelector(".lists-notice");
  const make = async (name: string) => {
    await vi.waitFor(() => expect(row(name).querySelector(".lists-make")).not.toBeNull());
    row(name).querySelector<HTMLButtonElement>(".lists-make")!.click();
  };
  const linkTo = async (listName: string, tagName: string) => {
    await vi.waitFor(() => expect(listRow(listName)).not.toBeNull());
    [...listRow(listName).querySelectorAll("button")].find((b) => b.textContent === "Link to a tag")!.click();
    await vi.waitFor(() => expect(listRow(listName).querySelector("input[name=link-tag]")).not.toBeNull());
    const input = listRow(listName).querySelector<HTMLInputElement>("input[name=link-tag]")!;
    input.value = tagName;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const form = listRow(listName).querySelector("form")!;
    await vi.waitFor(() => expect(form.querySelector<HTMLButtonElement>("[type=submit]")!.disabled).toBe(false));
    form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
  };

  it("makes a GitHub List from one of your tags, shows the tag linked to it on GitHub, and unlinks it", async () => {
    const state = { lists: [] as GithubList[], write: WRITABLE };
    serve(state, {
      "POST /api/lists": () => {
        state.lists = [MADE];
        return Response.json(MADE, { status: 201 });
      },
      "PATCH /api/lists/UL_9": () => {
        state.lists = [{ ...MADE, linkedTag: null }];
        return Response.json(state.lists[0]);
      },
    });
    await open();
    // A List follows your own tag: a tag only the AI gave would make an empty one.
    expect(row("ai-only").querySelector(".lists-make")).toBeNull();
    expect(row("rust").querySelector(".lists-make")?.textContent).toBe("Make a GitHub List");

    await make("rust");
    await vi.waitFor(() => expect(row("rust").querySelector(".list-chip")?.textContent).toBe("rust"));
    expect(bodies).toEqual([{ tag: "rust" }]);
    expect(row("rust").querySelector<HTMLAnchorElement>(".list-chip")!.href).toBe(MADE.url);
    expect(row("rust").querySelector(".lists-make")).toBeNull();
    expect(plain(notice()?.textContent)).toBe(
      "Made the GitHub List “rust” from your tag rust, with 3 repositories. Each sync keeps the two the same.",
    );
    expect(notice()?.getAttribute("role")).toBe("status");
    await vi.waitFor(() => expect(listRow("rust")?.querySelector(".lists-tag")?.textContent).toBe("rust"));

    row("rust").querySelector<HTMLButtonElement>(".lists-unlink")!.click();
    await vi.waitFor(() => expect(row("rust").querySelector(".lists-make")).not.toBeNull());
    expect(bodies[1]).toEqual({ linkedTag: null });
    expect(plain(notice()?.textContent)).toBe(
      "Unlinked the List “rust” from your tag rust. Both stay as they are; syncs no longer keep them the same.",
    );
    await vi.waitFor(() => expect(listRow("rust").querySelector(".lists-tag")?.textContent).toBe("not linked"));
  });

  it("links an existing List to one of your tags", async () => {
    const state = { lists: [list()], write: WRITABLE };
    serve(state, {
      "PATCH /api/lists/UL_1": () => {
        state.lists = [list({ linkedTag: "rust" })];
        return Response.json(state.lists[0]);
      },
    });
    await open();
    expect(listRow("Tools").querySelector(".lists-tag")?.textContent).toBe("not linked");
    // The List's own link on GitHub, and how many of the library's stars are in it.
    expect(listRow("Tools").querySelector<HTMLAnchorElement>(".list-chip")!.href).toBe(list().url);
    expect(listRow("Tools").querySelector(".tags-count")?.textContent).toBe("2");

    await linkTo("Tools", "rust");
    await vi.waitFor(() => expect(listRow("Tools").querySelector(".lists-tag")?.textContent).toBe("rust"));
    expect(bodies).toEqual([{ linkedTag: "rust" }]);
    expect(row("rust").querySelector(".list-chip")?.textContent).toBe("Tools");
    expect(plain(notice()?.textContent)).toBe(
      "Linked the List “Tools” to your tag rust. The next sync adds each one's repositories to the other.",
    );
  });

  it("without write access offers nothing GitHub would refuse, still unlinks, and shows names as text", async () => {
    const state = {
      lists: [list({ linkedTag: "rust" }), list({ id: "UL_2", name: HOSTILE, slug: "img" })],
      write: READ_ONLY,
    };
    serve(state, {
      "PATCH /api/lists/UL_1": () => {
        state.lists = [list(), state.lists[1]!];
        return Response.json(state.lists[0]);
      },
    });
    await open();
    await vi.waitFor(() => expect(root.querySelector(".lists-section")).not.toBeNull());
    expect(root.querySelector(".lists-make")).toBeNull();
    expect(root.querySelector(".lists-section")?.textContent).not.toContain("Link to a tag");
    // Why, in words: the read-only note that was there before.
    expect(root.querySelector(".lists-note")?.textContent).toContain("needs a classic token with the “user” scope");
    expect(listRow(HOSTILE).querySelector(".list-chip")?.textContent).toBe(HOSTILE);
    expect(root.querySelector(".lists-section img")).toBeNull();

    // Unlinking writes nothing to GitHub: it needs no scope.
    row("rust").querySelector<HTMLButtonElement>(".lists-unlink")!.click();
    await vi.waitFor(() => expect(listRow("Tools").querySelector(".lists-tag")?.textContent).toBe("not linked"));
    expect(bodies).toEqual([{ linkedTag: null }]);
  });

  it("renames a List on GitHub, and says before sending anything that a name is too long for GitHub", async () => {
    const state = { lists: [list()], write: WRITABLE };
    serve(state, {
      "PATCH /api/lists/UL_1": async (request) => {
        const { name } = (await request.clone().json()) as { name: string };
        state.lists = [list({ name, slug: "tooling" })];
        return Response.json(state.lists[0]);
      },
    });
    await open();
    await vi.waitFor(() => expect(listRow("Tools")?.querySelector(".lists-rename")).not.toBeNull());
    listRow("Tools").querySelector<HTMLButtonElement>(".lists-rename")!.click();
    await vi.waitFor(() => expect(listRow("Tools").querySelector("input[name=list-name]")).not.toBeNull());
    const input = listRow("Tools").querySelector<HTMLInputElement>("input[name=list-name]")!;
    const submit = () => listRow("Tools").querySelector<HTMLButtonElement>("form [type=submit]")!;
    const type = async (value: string) => {
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await vi.waitFor(() => expect(input.value).toBe(value));
    };
    // The name as it is: nothing to send.
    expect(input.value).toBe("Tools");
    expect(submit().disabled).toBe(true);
    // 33 characters: said before anything is sent.
    await type("x".repeat(33));
    await vi.waitFor(() =>
      expect(listRow("Tools").querySelector(".lists-name-error")?.textContent).toBe(
        "GitHub takes at most 32 characters for a List's name.",
      ),
    );
    expect(submit().disabled).toBe(true);
    // 32 characters that are 64 UTF-16 units: GitHub counts characters.
    await type("😀".repeat(32));
    await vi.waitFor(() => expect(listRow("Tools").querySelector(".lists-name-error")).toBeNull());
    expect(submit().disabled).toBe(false);

    await type("  Tooling ");
    listRow("Tools")
      .querySelector("form")!
      .dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    await vi.waitFor(() => expect(listRow("Tooling")).not.toBeNull());
    expect(bodies).toEqual([{ name: "Tooling" }]);
    expect(plain(notice()?.textContent)).toBe("Renamed the List “Tools” to “Tooling” on GitHub.");
    expect(listRow("Tooling").querySelector("form")).toBeNull();
  });

  it("does not offer a List for a tag longer than GitHub takes as a List's name, and says why", async () => {
    const long = "command-line-tools-for-the-terminal";
    serve({ lists: [], write: WRITABLE }, {}, [...TAGS, tag(long, 2)]);
    await open();
    await vi.waitFor(() => expect(row(long)).not.toBeNull());
    expect(row(long).querySelector(".lists-make")).toBeNull();
    expect(row(long).querySelector(".lists-make-too-long")?.textContent).toBe("too long for a List's name");
    expect(row(long).querySelector(".lists-make-too-long")?.getAttribute("title")).toContain("at most 32 characters");
    expect(row("rust").querySelector(".lists-make")).not.toBeNull();
  });

  it.each([
    {
      state: "the List limit, in GitHub's words",
      route: "POST /api/lists",
      answer: () => failure(422, "github_list_limit", LIMIT),
      says: [
        "Nothing was changed: GitHub will not make another List: this account has as many as GitHub allows.",
        "You can't create more than 32 lists.",
      ],
    },
    {
      state: "a token without the user scope",
      route: "POST /api/lists",
      answer: () => failure(403, "github_scope_missing", "Writing GitHub Lists needs a classic token…"),
      says: ["Writing your GitHub Lists needs a classic GitHub token with the “user” scope"],
    },
    {
      state: "a List renamed on GitHub since the last sync",
      route: "PATCH /api/lists/UL_1",
      answer: () => failure(409, "conflict", 'The List was changed on GitHub since the last sync (now "Tooling")'),
      says: ["This List was changed on GitHub since the last sync: GitHub's change is kept"],
    },
    {
      state: "a List deleted on GitHub",
      route: "PATCH /api/lists/UL_1",
      answer: () => failure(404, "not_found", 'The List "Tools" was deleted on GitHub since the last sync'),
      says: ["GitHub no longer has this List"],
    },
    {
      state: "the Worker unreachable",
      route: "POST /api/lists",
      answer: (): Response => {
        throw new TypeError("Failed to fetch");
      },
      says: ["The Starwise server did not answer."],
    },
  ])("says what happened in words: $state", async ({ route, answer, says }) => {
    serve({ lists: [list()], write: WRITABLE }, { [route]: answer });
    await open();
    const before = listsRead();
    if (route.startsWith("POST")) await make("rust");
    else await linkTo("Tools", "rust");
    await vi.waitFor(() => expect(notice()?.getAttribute("role")).toBe("alert"));
    for (const words of says) expect(notice()?.textContent).toContain(words);
    // The Worker read GitHub on the way (a rename kept, a List forgotten, the scopes): the Lists are read again.
    await vi.waitFor(() => expect(listsRead()).toBeGreaterThan(before));
  });

  it("speaks Chinese", async () => {
    useChinese();
    const state = { lists: [] as GithubList[], write: WRITABLE };
    serve(state, { "POST /api/lists": () => failure(422, "github_list_limit", LIMIT) });
    await open();
    expect(row("rust").querySelector(".lists-make")?.textContent).toBe("新建 GitHub 列表");
    await make("rust");
    await vi.waitFor(() => expect(notice()?.textContent).toContain("没有任何改动：GitHub 不再允许创建新列表"));
    expect(notice()?.textContent).toContain("You can't create more than 32 lists.");
  });

  it("speaks Chinese when renaming", async () => {
    useChinese();
    serve({ lists: [list()], write: WRITABLE }, {});
    await open();
    await vi.waitFor(() => expect(listRow("Tools")?.querySelector(".lists-rename")?.textContent).toBe("重命名"));
    listRow("Tools").querySelector<HTMLButtonElement>(".lists-rename")!.click();
    await vi.waitFor(() => expect(listRow("Tools").querySelector("input[name=list-name]")).not.toBeNull());
    const input = listRow("Tools").querySelector<HTMLInputElement>("input[name=list-name]")!;
    input.value = "工".repeat(33);
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await vi.waitFor(() =>
      expect(listRow("Tools").querySelector(".lists-name-error")?.textContent).toBe(
        "GitHub 的列表名称最多 32 个字符。",
      ),
    );
  });
});
