import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeBrowser } from "wxt/testing/fake-browser";
import type { WatchedReleases } from "../../../shared/digest";
import { readReleaseNotice, releaseNoticeItem, type ReleaseNoticeState } from "@/lib/storage";
import { useEnglish } from "@/test/i18n";
import { createReleaseNotifier, NOTICE_ID, NOTICE_WINDOW_MS, planReleaseNotice } from "./release-notice";

const NOW = Date.parse("2026-12-06T08:00:00Z");
const FRESH: ReleaseNoticeState = { runId: null, told: [], enabledAt: null, failure: null };

type Item = WatchedReleases["items"][number];

const release = (fullName: string, tag: string, at = "2026-12-05T00:00:00.000Z"): Item => ({
  fullName,
  htmlUrl: `https://github.com/${fullName}`,
  description: null,
  language: null,
  starredAt: null,
  notes: null,
  tags: [],
  at,
  release: { tag, name: null, publishedAt: at, prerelease: false },
  goneReason: null,
  unstarredBy: null,
});

const answer = (items: Item[], total = items.length): WatchedReleases => ({
  since: "2026-11-29T08:00:00.000Z",
  until: "2026-12-06T08:00:00.000Z",
  total,
  items,
});

describe("planReleaseNotice", () => {
  beforeEach(() => useEnglish());

  it("tells new releases once: one notice naming three and counting the rest, then nothing for the same run", () => {
    const releases = answer(
      ["a/one", "a/two", "a/three", "a/four"].map((name, i) => release(name, `v${i + 1}`)),
      6,
    );
    const first = planReleaseNotice(FRESH, "run-1", releases);
    expect(first.notice).toEqual({
      title: "New releases in your stars",
      message: "a/one v1\na/two v2\na/three v3\nand 3 more: open What changed",
    });
    expect(first.next).toEqual({
      runId: "run-1",
      told: ["a/one@v1", "a/two@v2", "a/three@v3", "a/four@v4"],
      enabledAt: null,
      failure: null,
    });
    // The same run again (its `done` seen twice): nothing, state unchanged.
    expect(planReleaseNotice(first.next, "run-1", releases)).toEqual({ notice: null, next: first.next });
    // The next run with nothing new: nothing.
    expect(planReleaseNotice(first.next, "run-2", releases).notice).toBeNull();
    // The next run with one new release: only it.
    const more = answer([release("a/five", "v5"), ...releases.items]);
    expect(planReleaseNotice(first.next, "run-3", more).notice?.message).toBe("a/five v5");
  });

  it("never tells a release from before notifications were on, and cleans names for the notification", () => {
    const state = { ...FRESH, enabledAt: Date.parse("2026-12-04T00:00:00Z") };
    const releases = answer([
      release("a/old", "v1", "2026-12-01T00:00:00.000Z"),
      release("a/new", "v2\u202E\u0000", "2026-12-05T00:00:00.000Z"),
    ]);
    const { notice, next } = planReleaseNotice(state, "run-1", releases);
    expect(notice?.message).toBe("a/new v2");
    expect(next.told).toEqual(["a/old@v1", "a/new@v2\u202E\u0000"]);
  });

  it("tells a release published in the second notifications were turned on (GitHub's times have whole seconds)", () => {
    const state = { ...FRESH, enabledAt: Date.parse("2026-12-05T10:00:00.700Z") };
    const releases = answer([
      release("a/before", "v1", "2026-12-05T09:59:59.000Z"),
      release("a/same-second", "v2", "2026-12-05T10:00:00.000Z"),
    ]);
    expect(planReleaseNotice(state, "run-1", releases).notice?.message).toBe("a/same-second v2");
  });
});

describe("the release notifier", () => {
  const create = vi.fn(async () => NOTICE_ID);
  let allowed = true;
  beforeEach(() => {
    fakeBrowser.reset();
    useEnglish();
    create.mockClear();
    allowed = true;
    Object.assign(fakeBrowser, { notifications: { create } });
    Object.assign(fakeBrowser.permissions, { contains: async () => allowed });
  });
  afterEach(() => {
    Reflect.deleteProperty(fakeBrowser, "notifications");
  });

  it("shows at most one notification a sync, however often its done arrives, and asks the window since", async () => {
    const asked: string[] = [];
    const notifier = createReleaseNotifier({
      watchedReleases: async (since) => {
        asked.push(since);
        return answer([release("a/one", "v1"), release("a/two", "v2")]);
      },
      now: () => NOW,
    });
    await Promise.all([notifier.afterSync("run-1"), notifier.afterSync("run-1")]);
    await notifier.afterSync("run-1");
    expect(create).toHaveBeenCalledTimes(1);
    expect(create).toHaveBeenCalledWith(NOTICE_ID, {
      type: "basic",
      iconUrl: expect.stringMatching(/\/notification-icon\.png$/),
      title: "New releases in your stars",
      message: "a/one v1\na/two v2",
    });
    expect(asked).toEqual([new Date(NOW - NOTICE_WINDOW_MS).toISOString()]);
    // The next sync, nothing new: asked, but nothing shown.
    await notifier.afterSync("run-2");
    expect(create).toHaveBeenCalledTimes(1);
    expect((await readReleaseNotice()).runId).toBe("run-2");
  });

  it("asks from the whole second notifications were turned on", async () => {
    await releaseNoticeItem.setValue({ ...FRESH, enabledAt: NOW - 86_400_000 + 700 });
    const asked: string[] = [];
    await createReleaseNotifier({
      watchedReleases: async (since) => {
        asked.push(since);
        return answer([]);
      },
      now: () => NOW,
    }).afterSync("run-1");
    expect(asked).toEqual([new Date(NOW - 86_400_000).toISOString()]);
  });

  it("asks nothing and shows nothing until the person allowed notifications", async () => {
    allowed = false;
    const watchedReleases = vi.fn(async () => answer([release("a/one", "v1")]));
    await createReleaseNotifier({ watchedReleases, now: () => NOW }).afterSync("run-1");
    expect(watchedReleases).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
  });

  it("keeps why a notification failed, for the options to say", async () => {
    create.mockRejectedValueOnce(new Error("Notifications are blocked by the system"));
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await releaseNoticeItem.setValue({ ...FRESH, enabledAt: NOW - 2 * 86_400_000 });
    await createReleaseNotifier({
      watchedReleases: async () => answer([release("a/one", "v1")]),
      now: () => NOW,
    }).afterSync("run-1");
    expect(await readReleaseNotice()).toMatchObject({
      runId: "run-1",
      failure: "Notifications are blocked by the system",
    });
  });
});
