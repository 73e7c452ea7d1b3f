import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Digest, DigestItem } from "../../../shared/digest";
import { DIGEST_VISIT_GAP_MS, digestPanelItem, digestVisitItem } from "@/lib/storage";
import { fakeWorker } from "@/test/fake-worker";
import { closePage, openPage, type TestPage } from "@/test/page";
import { useChinese } from "@/test/i18n";
import { DigestPanel, sinceOf } from "./digest";

const HOSTILE = "<img src=x onerror=alert(1)>";
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12);

const item = (fullName: string, fields: Partial<DigestItem> = {}): DigestItem => ({
  fullName,
  htmlUrl: `https://github.com/${fullName}`,
  description: null,
  language: null,
  starredAt: "2026-01-01T00:00:00.000Z",
  notes: null,
  tags: [],
  at: "2026-12-01T00:00:00.000Z",
  release: null,
  goneReason: null,
  unstarredBy: null,
  ...fields,
});
const section = (items: DigestItem[], total = items.length) => ({ total, items });
const EMPTY: Digest = {
  since: "2026-11-29T12:00:00.000Z",
  until: "2026-12-06T12:00:00.000Z",
  quietYears: 2,
  changes: 0,
  releases: section([]),
  archived: section([]),
  gone: section([]),
  unstarred: section([]),
  quiet: { ...section([]), newSince: 0 },
  resurfaced: [],
};
const FULL: Digest = {
  ...EMPTY,
  changes: 4,
  releases: section(
    [
      item("honojs/hono", {
        release: { tag: "v4.7.0", name: "v4.7.0", publishedAt: "2026-12-03T00:00:00.000Z", prerelease: false },
      }),
    ],
    23,
  ),
  archived: section([item("old/archived")]),
  gone: section([item("gone/deleted", { goneReason: "deleted", notes: "my note" })]),
  quiet: { ...section([item("sleepy/repo", { at: "2023-01-01T00:00:00.000Z" })]), newSince: 1 },
  resurfaced: [
    item("long/ago", { starredAt: "2019-05-01T00:00:00.000Z", notes: HOSTILE, tags: ["cli"], description: HOSTILE }),
  ],
};

describe("the new tab's What changed panel", () => {
  let page: TestPage;
  let root: HTMLElement;
  let worker: ReturnType<typeof fakeWorker> | undefined;
  const asked: URLSearchParams[] = [];

  beforeEach(async () => {
    asked.length = 0;
    page = await openPage();
    root = page.root;
  });
  afterEach(() => {
    closePage(page, worker);
    worker = undefined;
  });

  const serve = (digest: Digest) => {
    worker = fakeWorker({
      "GET /api/digest": (request) => {
        asked.push(new URL(request.url).searchParams);
        return Response.json(digest);
      },
    });
  };
  const sections = () =>
    [...root.querySelectorAll(".digest-section")].map((el) => [
      el.getAttribute("data-kind"),
      el.querySelector(".digest-count")?.textContent ?? null,
    ]);

  it("lists each section with its count, linking to GitHub; more than shown says how many more", async () => {
    serve(FULL);
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() => expect(root.querySelector(".digest-body")).not.toBeNull());
    expect(sections()).toEqual([
      ["releases", "23"],
      ["archived", "1"],
      ["gone", "1"],
      ["quiet", "1"],
      ["resurfaced", null],
    ]);
    expect(root.querySelector(".digest-summary")?.textContent).toBe("4 changes since Nov 29, 2026");
    const release = root.querySelector('[data-kind="releases"] .digest-item');
    expect(release?.querySelector("a")?.getAttribute("href")).toBe("https://github.com/honojs/hono");
    expect(release?.textContent).toContain("v4.7.0 · Dec 3, 2026");
    expect(root.querySelector('[data-kind="releases"] .digest-more')?.textContent).toBe("and 22 more");
    expect(root.querySelector('[data-kind="releases"] .digest-hint')?.textContent).toMatch(/never a pre-release/);
    // Gone is not unstarred: its reason, and the note kept.
    const gone = root.querySelector('[data-kind="gone"]');
    expect(gone?.textContent).toContain("deleted · Dec 1, 2026");
    expect(gone?.textContent).toContain("my note");
    expect(gone?.textContent).toMatch(/You did not unstar these/);
    expect(root.querySelector('[data-kind="quiet"] h3')?.textContent).toContain("Quiet for 2 years or more");
    expect(root.querySelector('details[data-kind="quiet"]')?.hasAttribute("open")).toBe(false);
    // Others' text and the user's note render as text.
    const old = root.querySelector('[data-kind="resurfaced"]');
    expect(old?.textContent).toContain("Starred May 1, 2019");
    expect(old?.querySelector(".digest-note")?.textContent).toBe(HOSTILE);
    expect(root.querySelector("img")).toBeNull();
  });

  it("says in words when nothing changed, and since when", async () => {
    serve(EMPTY);
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() =>
      expect(root.querySelector(".digest-empty")?.textContent).toBe(
        "Nothing changed in your stars since Nov 29, 2026.",
      ),
    );
    expect(root.querySelectorAll(".digest-section")).toHaveLength(0);
  });

  it("asks since the visit before this one; a week on the first; new tabs close together are one visit", async () => {
    serve(EMPTY);
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]?.get("since")).toBe(new Date(NOW - 7 * DAY).toISOString());
    expect(await digestVisitItem.getValue()).toEqual({ previous: null, current: NOW });
    render(null, root);
    // Five minutes later: the same visit.
    render(<DigestPanel now={() => NOW + 5 * 60_000} />, root);
    await vi.waitFor(() => expect(asked).toHaveLength(2));
    expect(await digestVisitItem.getValue()).toEqual({ previous: null, current: NOW });
    render(null, root);
    // The next day: a new visit, since the last one.
    render(<DigestPanel now={() => NOW + DAY} />, root);
    await vi.waitFor(() => expect(asked).toHaveLength(3));
    expect(asked[2]?.get("since")).toBe(new Date(NOW).toISOString());
    expect(sinceOf("visit", { previous: 5, current: 6 }, NOW)).toBe(5);
    expect(DIGEST_VISIT_GAP_MS).toBe(30 * 60_000);
  });

  it("keeps the range and the fold it was left with", async () => {
    serve(EMPTY);
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() => expect(root.querySelector(".digest-empty")).not.toBeNull());
    const month = [...root.querySelectorAll(".digest-range button")].find((b) => b.textContent === "Last month");
    (month as HTMLButtonElement).click();
    await vi.waitFor(() => expect(asked).toHaveLength(2));
    expect(asked[1]?.get("since")).toBe(new Date(NOW - 30 * DAY).toISOString());
    expect(month?.getAttribute("aria-pressed")).toBe("true");
    const details = root.querySelector("details.digest") as HTMLDetailsElement;
    expect(details.open).toBe(true);
    details.open = false;
    details.dispatchEvent(new Event("toggle"));
    await vi.waitFor(async () => expect(await digestPanelItem.getValue()).toEqual({ open: false, range: "month" }));
  });

  it("asks once for a drawing's worth of time, whatever the clock does meanwhile", async () => {
    serve(EMPTY);
    let clock = NOW;
    render(<DigestPanel now={() => clock++} />, root);
    await vi.waitFor(() => expect(root.querySelector(".digest-empty")).not.toBeNull());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked).toHaveLength(1);
  });

  it("says so when the Worker cannot answer", async () => {
    worker = fakeWorker({
      "GET /api/digest": () => Response.json({ error: { code: "internal_error", message: "boom" } }, { status: 500 }),
    });
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() => expect(root.querySelector(".digest-error")?.textContent).toMatch(/could not be loaded/));
  });

  it("speaks Chinese", async () => {
    useChinese();
    serve(EMPTY);
    render(<DigestPanel now={() => NOW} />, root);
    await vi.waitFor(() => expect(root.querySelector(".digest-empty")?.textContent).toMatch(/你的星标没有任何变化/));
    expect(root.querySelector(".digest-title")?.textContent).toBe("有什么变化");
  });
});
