import { browser } from "wxt/browser";
import { fetchCatalog, t, useCatalog, type LanguagePreference } from "@/lib/i18n";
import { githubUrlOf } from "@/lib/safe-url";
import { readPreferences, readSyncState } from "@/lib/storage";
import { chromeLine, escapeXml, plainLine, suggest, wordsOf, type Suggestion } from "@/lib/suggest";
import type { LibraryIndexApi } from "./library-index";

// The address bar: the keyword `s`, then a space, then words (manifest `omnibox.keyword`,
// wxt.config.ts). Each keystroke is matched against the library's index in memory
// (./library-index.ts, lib/suggest.ts): a suggestion per repository (its name, one line of summary,
// a few tags) whose Enter opens it on GitHub, and the browser's own first line, which says what
// Enter does with the words as typed: the new tab's results for them (newtab/url-state.ts), or what
// to do first when there is nothing to search (signed out, never synced, the Worker unreachable).
//
// Chrome reads a description as XML (`<match>`, `<dim>`, `<url>`): names and summaries are
// untrusted text, cleaned of controls and bidi overrides and escaped (lib/suggest.ts, escapeXml);
// Firefox shows descriptions as plain text.

export type Disposition = "currentTab" | "newForegroundTab" | "newBackgroundTab";

export interface OmniboxAnswer {
  /** The first line: what Enter does with the typed words. */
  default: string;
  suggestions: Array<{ content: string; description: string }>;
  /** What Enter on the typed words does now (for the enter handler and tests). */
  state: "signed-out" | "not-synced" | "failed" | "empty" | "matches" | "no-match";
}

export interface OmniboxDeps {
  index: LibraryIndexApi;
  /** Chrome: descriptions are XML. Firefox: plain text. */
  xml: boolean;
  /** Starts a sync (Enter when the library was never synced). */
  startSync(): Promise<unknown>;
  open(url: string, disposition: Disposition): Promise<void>;
  /** Test seam: the catalog the lines are written from (default: the options' language). */
  applyLanguage?: () => Promise<void>;
}

/** `https://github.com/owner/name` exactly, as a suggestion's content: Enter on it opens the repository. */
const REPOSITORY_URL = /^https:\/\/github\.com\/[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;

let appliedLanguage: LanguagePreference | null = null;
/** The language chosen in the options (else the browser's) for the lines the background writes. */
async function applyChosenLanguage(): Promise<void> {
  const { language } = await readPreferences();
  if (language === appliedLanguage) return;
  appliedLanguage = language;
  useCatalog(
    language === "auto" ? null : await fetchCatalog(language).catch(() => null),
    language === "auto" ? null : language,
  );
}

export function createOmnibox(deps: OmniboxDeps) {
  const applyLanguage = deps.applyLanguage ?? applyChosenLanguage;

  /** Our own words for the first line, with the typed text in them: escaped for Chrome. */
  const line = (text: string) => (deps.xml ? escapeXml(text) : text);
  const quoted = (typed: string) => wordsOf(typed).join(" ");

  const describe = (suggestion: Suggestion, typed: string) => ({
    content: githubUrlOf(suggestion.item.fullName),
    description: deps.xml ? chromeLine(suggestion.item, typed) : plainLine(suggestion.item),
  });

  async function input(typed: string): Promise<OmniboxAnswer> {
    await applyLanguage();
    const index = await deps.index.current();
    if (index.kind === "signed-out")
      return { default: line(t("omniboxSignedOut")), suggestions: [], state: "signed-out" };
    if (index.kind === "failed")
      return { default: line(t("omniboxFailed", index.message)), suggestions: [], state: "failed" };
    if (index.entries.length === 0 && (await readSyncState()).lastSyncedAt === null)
      return { default: line(t("omniboxNotSynced")), suggestions: [], state: "not-synced" };
    if (wordsOf(typed).length === 0)
      return { default: line(t("omniboxEmpty", index.entries.length)), suggestions: [], state: "empty" };
    const found = suggest(index.entries, typed);
    if (found.length === 0)
      return { default: line(t("omniboxNoMatch", quoted(typed))), suggestions: [], state: "no-match" };
    return {
      default: line(t("omniboxSearchAll", quoted(typed))),
      suggestions: found.map((suggestion) => describe(suggestion, typed)),
      state: "matches",
    };
  }

  /** Enter: a suggestion opens its repository; the typed words open the new tab's results, or what to do first. */
  async function enter(typed: string, disposition: Disposition): Promise<string> {
    const text = typed.trim();
    let url: string;
    if (REPOSITORY_URL.test(text)) url = text;
    else {
      const index = await deps.index.current();
      if (index.kind === "signed-out") url = browser.runtime.getURL("/options.html");
      else {
        if (index.kind === "ready" && index.entries.length === 0 && (await readSyncState()).lastSyncedAt === null)
          await deps.startSync().catch((error: unknown) => console.warn("starwise: sync from the address bar", error));
        const q = wordsOf(text).join(" ");
        url = browser.runtime.getURL(q ? `/newtab.html?${new URLSearchParams({ q })}` : "/newtab.html");
      }
    }
    await deps.open(url, disposition);
    return url;
  }

  return { input, enter };
}
export type Omnibox = ReturnType<typeof createOmnibox>;

/** Opens `url` where the browser asked (the current tab, a new one in front or behind). */
async function openTab(url: string, disposition: Disposition): Promise<void> {
  if (disposition === "currentTab") await browser.tabs.update({ url });
  else await browser.tabs.create({ url, active: disposition === "newForegroundTab" });
}

/**
 * Registers the address bar's listeners. Returns the omnibox, whose `input` and `enter` are exactly
 * what the listeners call (the browser tests drive them: no browser automates its address bar).
 */
export function setUpOmnibox(deps: Omit<OmniboxDeps, "open" | "xml"> & Partial<Pick<OmniboxDeps, "open">>): Omnibox {
  const omnibox = createOmnibox({ ...deps, xml: !import.meta.env.FIREFOX, open: deps.open ?? openTab });
  const api = browser.omnibox;
  if (!api) return omnibox;
  /** Each keystroke's answer; an older one that lands late is dropped. */
  let latest = 0;
  api.onInputStarted.addListener(() => {
    // Warms the index (storage → memory) while the first letters are typed.
    void deps.index.current().catch(() => undefined);
  });
  api.onInputChanged.addListener((text, suggestions) => {
    const id = ++latest;
    void omnibox.input(text).then(
      (answer) => {
        if (id !== latest) return;
        api.setDefaultSuggestion({ description: answer.default });
        suggestions(answer.suggestions);
      },
      (error: unknown) => console.error("starwise: address-bar suggestions failed", error),
    );
  });
  api.onInputEntered.addListener((text, disposition) => {
    void omnibox.enter(text, disposition).catch((error: unknown) => console.error("starwise: address bar", error));
  });
  return omnibox;
}
