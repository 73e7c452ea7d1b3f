import preact from "@preact/preset-vite";
import { readFileSync } from "node:fs";
import { defineConfig } from "wxt";

/** UI languages: extension/locales/<locale>.json, flat `key: "text with $1"`. The first is the default. */
const LOCALES = ["en", "zh_CN"] as const;

/**
 * One locale file → the browser's `_locales/<locale>/messages.json`. `$1`…`$9` become
 * named placeholders (`$P1$`), the form every browser's i18n accepts.
 */
function messagesJson(locale: string): string {
  const flat = JSON.parse(
    readFileSync(new URL(`./extension/locales/${locale}.json`, import.meta.url), "utf8"),
  ) as Record<string, string>;
  const out: Record<string, { message: string; placeholders?: Record<string, { content: string }> }> = {};
  for (const [key, text] of Object.entries(flat)) {
    const digits = [...new Set([...text.matchAll(/\$(\d)/g)].map((match) => match[1]!))];
    out[key] = {
      message: text.replace(/\$(\d)/g, "$P$1$"),
      ...(digits.length
        ? { placeholders: Object.fromEntries(digits.map((d) => [`p${d}`, { content: `$${d}` }])) }
        : {}),
    };
  }
  return JSON.stringify(out, null, 1);
}

// https://wxt.dev/api/config.html
export default defineConfig({
  srcDir: "extension",
  // Files copied as they are (the notification's icon); WXT's default is <root>/public.
  publicDir: "extension/public",
  outDir: ".output/extension",
  manifest: ({ browser }) => ({
    name: "__MSG_extName__",
    description: "__MSG_extDescription__",
    default_locale: "en",
    // storage: settings and caches (unlimitedStorage: the address bar's index of 30,000 stars is ~6 MB,
    // lib/storage.ts); alarms: re-attach to a running sync after the worker sleeps.
    // scripting (Chrome): the marks' content script, registered for the sites the person allows.
    permissions: ["storage", "unlimitedStorage", "alarms", ...(browser === "firefox" ? [] : ["scripting"])],
    host_permissions: ["https://github.com/*"],
    // Any site, asked for one at a time from the options (entrypoints/background/site-access.ts);
    // MV2 (the Firefox build) lists optional origins with the optional permissions.
    // notifications: one after a sync, of watched repositories' new releases, only once the person turns them on
    // in the options (entrypoints/background/release-notice.ts).
    ...(browser === "firefox"
      ? { optional_permissions: ["*://*/*", "notifications"] }
      : { optional_host_permissions: ["*://*/*"], optional_permissions: ["notifications"] }),
    // The address bar: `s`, a space, then words (entrypoints/background/omnibox.ts).
    omnibox: { keyword: "s" },
    action: { default_title: "__MSG_extName__" },
    ...(browser === "firefox"
      ? {
          browser_specific_settings: {
            gecko: { id: "starwise@starwise.dev", data_collection_permissions: { required: ["none"] } },
          },
        }
      : {}),
  }),
  hooks: {
    "build:publicAssets": (_wxt, files) => {
      for (const locale of LOCALES)
        files.push({ relativeDest: `_locales/${locale}/messages.json`, contents: messagesJson(locale) });
    },
  },
  // STARWISE_SOURCEMAP=1: source maps, for `npm run bench:extension -- --why` (what makes a bundle big).
  vite: () => ({ plugins: [preact()], build: { sourcemap: process.env.STARWISE_SOURCEMAP === "1" } }),
  zip: {
    excludeSources: ["worker/**", "emulators/**", "bench/**", "e2e/**", "migrations/**", ".output/**", ".wrangler/**"],
  },
});
