import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LookupItem } from "../../shared/repositories";
import { useCatalog } from "@/lib/i18n";
import { useEnglish } from "@/test/i18n";
import { HOST_TAG, startMarks } from "./marks";

const item = (fullName: string, patch: Partial<LookupItem> = {}): LookupItem => ({
  fullName,
  starred: true,
  saved: false,
  starredAt: "2026-01-02T03:04:05.000Z",
  aiSummary: "An async runtime",
  aiTags: ["async", "runtime"],
  aiPlatforms: [],
  openrank: null,
  customTags: [],
  customCategory: null,
  customDescription: null,
  notes: null,
  ...patch,
});

/** The closed shadow roots the marks make, caught as they are attached (pages cannot read them). */
const roots = new Map<Element, ShadowRoot>();
const attach = Element.prototype.attachShadow;

function link(href: string, text = "a link"): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

const markOf = (a: HTMLAnchorElement) => {
  const next = a.nextElementSibling;
  return next?.localName === HOST_TAG ? roots.get(next)! : null;
};

describe("marks on other sites", () => {
  let controller: AbortController;
  beforeEach(() => {
    useEnglish();
    document.body.replaceChildren();
    roots.clear();
    Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
      const root = attach.call(this, init);
      roots.set(this, root);
      return root;
    };
    controller = new AbortController();
  });
  afterEach(() => {
    controller.abort();
    Element.prototype.attachShadow = attach;
    useCatalog(null);
  });

  it("asks once for every repository the page links to, and marks the ones in the library", async () => {
    const links = [
      link("https://github.com/tokio-rs/tokio", "Tokio"),
      link("https://github.com/tokio-rs/tokio/blob/master/README.md", "its README"),
      link("https://github.com/not/mine", "someone's"),
      link("https://github.com/features/actions", "Actions"),
      link("https://example.com/tokio-rs/tokio", "elsewhere"),
    ];
    document.body.append(...links);
    const lookup = vi.fn(async (names: string[]) =>
      Object.fromEntries(names.filter((n) => n.startsWith("tokio-rs/")).map((n) => [n, item(n)])),
    );
    const marks = startMarks(document, { lookup, signal: controller.signal });
    await marks.settled();
    expect(lookup.mock.calls).toEqual([[["tokio-rs/tokio", "not/mine"]]]);
    expect(links.map((a) => markOf(a) !== null)).toEqual([true, true, false, false, false]);
    const root = markOf(links[0]!)!;
    expect(root.mode).toBe("closed");
    expect(root.querySelector(".mark")!.textContent).toBe("★async · runtime");
    expect(root.querySelector(".mark")!.getAttribute("aria-label")).toBe("In your stars: async, runtime");
  });

  it("asks once more for a batch of links the page adds later, and never again for a known name", async () => {
    document.body.append(link("https://github.com/tokio-rs/tokio"));
    const lookup = vi.fn(async (names: string[]) => Object.fromEntries(names.map((n) => [n, item(n)])));
    const marks = startMarks(document, { lookup, signal: controller.signal, batchMs: 20 });
    await marks.settled();
    const added = [
      link("https://github.com/a/one"),
      link("https://github.com/a/two"),
      link("https://github.com/TOKIO-RS/TOKIO"),
    ];
    document.body.append(added[0]!);
    document.body.append(added[1]!, added[2]!);
    await vi.waitFor(() => expect(lookup).toHaveBeenCalledTimes(2));
    await marks.settled();
    expect(lookup.mock.calls[1]).toEqual([["a/one", "a/two"]]);
    expect(added.every((a) => markOf(a) !== null)).toBe(true);
  });

  it("shows untrusted text as text: tags and summary, controls and overrides gone", async () => {
    const hostile = item("evil/x", {
      customTags: ["<img src=x onerror=alert(1)>", "\u202Egnp.exe"],
      customDescription: "<b>bold</b>\u0000",
    });
    const a = link("https://github.com/evil/x");
    document.body.append(a);
    await startMarks(document, { lookup: async () => ({ "evil/x": hostile }), signal: controller.signal }).settled();
    const root = markOf(a)!;
    expect(root.querySelector("img, b")).toBeNull();
    expect(root.querySelector(".tags")!.textContent).toBe("<img src=x onerror=alert(1)> · gnp.exe");
    root.querySelector(".mark")!.dispatchEvent(new Event("pointerenter"));
    const tip = root.querySelector(".tip")!;
    expect(tip.querySelector(".summary")!.textContent).toBe("<b>bold</b>");
    expect([...tip.querySelectorAll(".chip")].map((chip) => chip.textContent)).toEqual([
      "<img src=x onerror=alert(1)>",
      "gnp.exe",
      "async",
      "runtime",
    ]);
    expect(tip.querySelector(".when")!.textContent).toMatch(/^In your stars since /);
  });

  it("leaves the page alone when the lookup fails, and stops watching when aborted", async () => {
    const a = link("https://github.com/a/b");
    document.body.append(a);
    const lookup = vi.fn(async () => {
      throw new Error("signed out");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const marks = startMarks(document, { lookup, signal: controller.signal, batchMs: 10 });
    await marks.settled();
    expect(markOf(a)).toBeNull();
    controller.abort();
    document.body.append(link("https://github.com/c/d"));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lookup).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
