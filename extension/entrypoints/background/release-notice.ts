import { browser } from "wxt/browser";
import type { WatchedReleases } from "../../../shared/digest";
import { cleanLine } from "@/lib/clean-text";
import { t } from "@/lib/i18n";
import { readReleaseNotice, releaseNoticeItem, type ReleaseNoticeState } from "@/lib/storage";

// Watched releases (docs/architecture.md §4, "Watched releases"): after a sync, at most ONE notification, listing
// the new releases of the repositories the user marked to watch. Opt-in: the `notifications` permission is
// optional, asked from the options' click; without it nothing is asked of the Worker and nothing is shown.
// Clicking the notification opens the new tab's What changed panel.

export const NOTICE_ID = "starwise-releases";
/** Releases published this long ago are still news to a sync that learns of them late (the daily health catch-up). */
export const NOTICE_WINDOW_MS = 7 * 86_400_000;
/** Releases a notification names; the rest are counted. */
export const NOTICE_LINES = 3;

export type Notice = { title: string; message: string };

const keyOf = (item: WatchedReleases["items"][number]) => `${item.fullName}@${item.release?.tag ?? ""}`;

/**
 * When notifications were turned on, to GitHub's precision: `published_at` has whole seconds, so a release published
 * in the same second as the click reads as earlier than it by the millisecond, and would never be news.
 */
const enabledSecond = (enabledAt: number) => Math.floor(enabledAt / 1000) * 1000;

/**
 * What the sync `runId` should tell, given what was told before: one notice or none, and the state to keep.
 * A run that already had its chance tells nothing (one per sync, however often its `done` is seen); a release
 * already told, or published before notifications were turned on, is not news.
 */
export function planReleaseNotice(
  state: ReleaseNoticeState,
  runId: string,
  answer: WatchedReleases,
): { notice: Notice | null; next: ReleaseNoticeState } {
  if (state.runId === runId) return { notice: null, next: state };
  const told = new Set(state.told);
  const fresh = answer.items.filter(
    (item) =>
      !told.has(keyOf(item)) &&
      (state.enabledAt === null || (item.at !== null && Date.parse(item.at) >= enabledSecond(state.enabledAt))),
  );
  // What the Worker's window holds now is what was told: it moves on with the window.
  const next = { ...state, runId, told: answer.items.map(keyOf).slice(0, 500), failure: null };
  if (fresh.length === 0) return { notice: null, next };
  const lines = fresh
    .slice(0, NOTICE_LINES)
    .map((item) => t("notifyReleaseLine", cleanLine(item.fullName), cleanLine(item.release?.tag ?? "")));
  // Beyond the answer's items (the newest WATCHED_RELEASES_MAX) are older releases: counted, never named.
  const more = fresh.length - lines.length + Math.max(0, answer.total - answer.items.length);
  if (more > 0) lines.push(t("notifyReleasesMore", more));
  return { notice: { title: t("notifyReleasesTitle"), message: lines.join("\n") }, next };
}

/** The notifications API when the person allowed it; undefined otherwise (Chrome has no API before the grant). */
async function notifications() {
  if (!browser.notifications) return undefined;
  try {
    return (await browser.permissions.contains({ permissions: ["notifications"] })) ? browser.notifications : undefined;
  } catch {
    return undefined; // No permissions API for it: the options say "unsupported".
  }
}

export function createReleaseNotifier(deps: {
  watchedReleases: (since: string) => Promise<WatchedReleases>;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  // One after another: two `done` events of the same run never both find it untold.
  let queue: Promise<void> = Promise.resolve();

  async function notify(runId: string): Promise<void> {
    const api = await notifications();
    if (!api) return;
    const state = await readReleaseNotice();
    if (state.runId === runId) return;
    let notice: Notice | null = null;
    try {
      const since = new Date(Math.max(now() - NOTICE_WINDOW_MS, enabledSecond(state.enabledAt ?? 0))).toISOString();
      const planned = planReleaseNotice(state, runId, await deps.watchedReleases(since));
      notice = planned.notice;
      // Kept before it is shown: a background stopped in between never shows it twice.
      await releaseNoticeItem.setValue(planned.next);
      if (notice) {
        await api.create(NOTICE_ID, {
          type: "basic",
          iconUrl: browser.runtime.getURL("/notification-icon.png"),
          title: notice.title,
          message: notice.message,
        });
      }
    } catch (error) {
      // Said where the person turned notifications on (the options), not only here.
      const failure = error instanceof Error ? error.message : String(error);
      console.warn("starwise: the release notification failed", error);
      await releaseNoticeItem.setValue({ ...(await readReleaseNotice()), runId, failure });
    }
  }

  return {
    /** After a sync's `done`: at most one notification for this run. */
    afterSync(runId: string): Promise<void> {
      queue = queue.then(() => notify(runId));
      return queue;
    },
  };
}

/** A click on the notification opens the new tab's What changed panel; listened for once the API exists. */
export function setUpReleaseNoticeClicks(): void {
  let listening = false;
  const listen = () => {
    if (listening || !browser.notifications?.onClicked) return;
    listening = true;
    browser.notifications.onClicked.addListener((id) => {
      if (id !== NOTICE_ID) return;
      void browser.tabs.create({ url: browser.runtime.getURL("/newtab.html#digest") });
      void browser.notifications.clear(id);
    });
  };
  listen();
  // Chrome adds `chrome.notifications` when the optional permission is granted, not at start.
  browser.permissions?.onAdded?.addListener(() => listen());
}
