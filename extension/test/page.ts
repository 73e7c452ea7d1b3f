import { render } from "preact";
import { fakeBrowser } from "wxt/testing/fake-browser";
import { setUpMessaging } from "@/entrypoints/background/messaging";
import { connectionItem } from "@/lib/storage";
import type { fakeWorker } from "./fake-worker";
import { useEnglish } from "./i18n";

/** A page under test: where it renders, and how to stop the background's answers. */
export type TestPage = { root: HTMLElement; stop: () => void };

/**
 * A fresh extension page for a unit test of the new tab: the fake browser reset, English, the real background
 * messaging (`setUpMessaging`), signed in to a Worker unless `signedIn: false`, and a root to render into. The URL is
 * the new tab's (happy-dom keeps one location for the whole file, and the new tab keeps its search there).
 */
export async function openPage(options: { signedIn?: boolean } = {}): Promise<TestPage> {
  fakeBrowser.reset();
  useEnglish();
  history.replaceState(null, "", "/newtab.html");
  const stop = setUpMessaging();
  if (options.signedIn !== false)
    await connectionItem.setValue({ workerUrl: "https://sw.example.dev", sessionToken: "t", login: "octocat" });
  const root = document.createElement("div");
  document.body.append(root);
  return { root, stop };
}

/** Undoes `openPage` and the test's fake Worker, if it served one. */
export function closePage(page: TestPage, worker: ReturnType<typeof fakeWorker> | undefined): void {
  render(null, page.root);
  page.root.remove();
  page.stop();
  worker?.restore();
}
