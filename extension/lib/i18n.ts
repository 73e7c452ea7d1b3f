import { browser } from "wxt/browser";
import type messages from "../locales/en.json";

// Every user-visible string goes through `t(key)`. The catalogs are
// `extension/locales/<locale>.json` (flat `key: "text with $1"`); the build turns them
// into the browser's `_locales/<locale>/messages.json` (wxt.config.ts), so by default
// the browser's own i18n picks the language. A language chosen in the options
// overrides the browser's: that catalog is then loaded from the same files and used
// instead (`browser.i18n` cannot switch languages at run time).

export type MessageKey = Extract<keyof typeof messages, string>;
/** The UI languages; `zh` is served by the `zh_CN` catalog. */
export type Language = "en" | "zh";
export type LanguagePreference = Language | "auto";
export type Catalog = Record<string, string>;

export const LOCALE_OF: Record<Language, string> = { en: "en", zh: "zh_CN" };

let catalog: Catalog | null = null;
let language: Language | null = null;

/** Replaces `$1`…`$9` with the substitutions, as `browser.i18n.getMessage` does. */
export function substitute(message: string, subs: readonly string[]): string {
  return message.replace(/\$(\d)/g, (whole, digit: string) => subs[Number(digit) - 1] ?? whole);
}

/** The text of `key` in the current language. Numbers are formatted for that language. */
export function t(key: MessageKey, ...subs: Array<string | number>): string {
  const texts = subs.map((sub) => (typeof sub === "number" ? formatNumber(sub) : sub));
  if (catalog) {
    const message = catalog[key];
    if (message !== undefined) return substitute(message, texts);
  }
  // The browser's i18n; a missing key answers "" there — show the key rather than nothing.
  return browser.i18n.getMessage(key as Parameters<typeof browser.i18n.getMessage>[0], texts) || key;
}

/** The language strings are shown in now. */
export function currentLanguage(): Language {
  if (language) return language;
  let ui = "en";
  try {
    ui = browser.i18n.getUILanguage();
  } catch {
    // No i18n API (unit tests without a catalog): English.
  }
  return ui.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(currentLanguage() === "zh" ? "zh-CN" : "en-US").format(value);
}

export function formatDate(iso: string | number | Date): string {
  return new Intl.DateTimeFormat(currentLanguage() === "zh" ? "zh-CN" : "en-US", { dateStyle: "medium" }).format(
    new Date(iso),
  );
}

export function formatDateTime(iso: string | number | Date): string {
  return new Intl.DateTimeFormat(currentLanguage() === "zh" ? "zh-CN" : "en-US", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

/** Uses `messages` for every string from now on (a chosen language, or tests). */
export function useCatalog(messages: Catalog | null, lang: Language | null = null): void {
  catalog = messages;
  language = lang;
}

/** `_locales/<locale>/messages.json` (the browser's format) → a flat catalog. */
export function catalogFromMessagesJson(json: unknown): Catalog {
  const result: Catalog = {};
  if (typeof json !== "object" || json === null) return result;
  for (const [key, entry] of Object.entries(json as Record<string, unknown>)) {
    if (typeof entry !== "object" || entry === null) continue;
    const { message, placeholders } = entry as {
      message?: unknown;
      placeholders?: Record<string, { content?: string }>;
    };
    if (typeof message !== "string") continue;
    // Placeholders `$P1$` → `$1` (see wxt.config.ts, which writes them).
    result[key] = message.replace(
      /\$([A-Za-z0-9_]+)\$/g,
      (whole, name: string) => placeholders?.[name.toLowerCase()]?.content ?? whole,
    );
  }
  return result;
}

/** Fetches a bundled catalog (extension pages and the background can read their own files). */
export async function fetchCatalog(lang: Language): Promise<Catalog> {
  // `_locales/` is written by the build (wxt.config.ts), so WXT's PublicPath type does not list it.
  const url = (browser.runtime.getURL as (path: string) => string)(`/_locales/${LOCALE_OF[lang]}/messages.json`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`no catalog at ${url} (${response.status})`);
  return catalogFromMessagesJson(await response.json());
}

/**
 * Applies the language preference on an extension page: the browser's language for
 * "auto", otherwise the chosen catalog. Also sets `<html lang>`.
 */
export async function applyLanguage(preference: LanguagePreference): Promise<void> {
  if (preference === "auto") useCatalog(null);
  else {
    try {
      useCatalog(await fetchCatalog(preference), preference);
    } catch (error) {
      console.error("starwise: could not load the catalog; using the browser's language", error);
      useCatalog(null);
    }
  }
  if (typeof document !== "undefined") document.documentElement.lang = currentLanguage() === "zh" ? "zh-CN" : "en";
}
