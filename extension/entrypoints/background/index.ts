import { browser } from "wxt/browser";
import { defineBackground } from "wxt/utils/define-background";
import { setUpMessaging } from "./messaging";
import { setUpOmnibox } from "./omnibox";
import { setUpReleaseNoticeClicks } from "./release-notice";
import { setUpSiteAccess } from "./site-access";

// Thin on purpose: WXT imports this file in Node at build time, so everything
// happens inside `main`, and each concern is a `setUpX()` beside this file.
export default defineBackground(() => {
  const background = setUpMessaging();
  setUpSiteAccess();
  setUpReleaseNoticeClicks();
  const omnibox = setUpOmnibox({ index: background.index, startSync: () => background.sync.start() });
  // The handlers the address bar's listeners call, for the browser tests and the benchmark: no
  // browser lets automation type into its address bar. Only the extension's own contexts see this
  // global (a service worker, or Firefox's background page), never a web page.
  Object.assign(globalThis, { starwiseOmnibox: omnibox });
  // A service worker that Chrome stopped mid-sync starts again here (on any event):
  // pick the run up where the Worker has it. The watch alarm wakes us while a run lasts.
  void background.sync.resume();
  browser.alarms?.onAlarm.addListener((alarm) => {
    if (alarm.name === background.sync.WATCH_ALARM) void background.sync.resume();
  });
});
