import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { explainError } from "@/lib/errors";
import { t } from "@/lib/i18n";
import { sendMessage } from "@/lib/messaging";

// Your stars on other sites: which sites may show marks next to GitHub links (sites/marks.ts). Each
// is an optional host permission the browser grants — `permissions.request` must be called straight
// from the click (a user gesture), before anything is awaited. The background registers the content
// script for what was granted (background/site-access.ts); Remove gives the permission back and the
// registration goes with it.

/** One click away: the sites the issue names. */
export const SUGGESTED_SITES = [
  { name: "Hacker News", host: "news.ycombinator.com" },
  { name: "Reddit", host: "reddit.com" },
  { name: "Lobsters", host: "lobste.rs" },
];

const IP_OR_SINGLE_LABEL = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\]|[^.]+)$/i;

/**
 * The origin pattern for what a person typed (`news.ycombinator.com`, `https://www.reddit.com/r/x`):
 * the site and its subdomains over http and https; null when it is no site.
 */
export function patternOf(typed: string): string | null {
  const text = typed.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const host = url.hostname
    .toLowerCase()
    .replace(/^www\./, "")
    .replace(/\.$/, "");
  if (!host || host === "github.com") return null;
  return IP_OR_SINGLE_LABEL.test(host) ? `*://${host}/*` : `*://*.${host}/*`;
}

/** A granted pattern as a person reads it: `*://*.reddit.com/*` → `reddit.com`. */
export function siteOf(pattern: string): string {
  const match = /^\*:\/\/(?:\*\.)?([^/]+)\/\*$/.exec(pattern);
  return match ? match[1]! : pattern;
}

type Note = { kind: "ok" | "error"; text: string } | null;

export function SitesSection() {
  const [sites, setSites] = useState<string[] | null>(null);
  const [typed, setTyped] = useState("");
  const [note, setNote] = useState<Note>(null);

  const refresh = async () => {
    try {
      setSites((await sendMessage("siteAccess")).sites);
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    }
  };
  useEffect(() => void refresh(), []);

  /** Called from the click itself: the browser grants only within its user gesture. */
  const allow = (pattern: string | null) => {
    if (!pattern) {
      setNote({ kind: "error", text: t("sitesInvalid") });
      return;
    }
    const site = siteOf(pattern);
    browser.permissions.request({ origins: [pattern] }).then(
      async (granted) => {
        await refresh();
        if (granted) setTyped("");
        setNote(
          granted ? { kind: "ok", text: t("sitesAllowed", site) } : { kind: "error", text: t("sitesDenied", site) },
        );
      },
      (error: unknown) => setNote({ kind: "error", text: explainError(error).text }),
    );
  };

  const remove = async (pattern: string) => {
    try {
      await browser.permissions.remove({ origins: [pattern] });
      await refresh();
      setNote({ kind: "ok", text: t("sitesRemoved", siteOf(pattern)) });
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    }
  };

  const allowed = new Set((sites ?? []).map(siteOf));
  const suggested = SUGGESTED_SITES.filter((site) => !allowed.has(site.host));
  return (
    <section class="card sites" aria-labelledby="sites-heading">
      <h2 id="sites-heading">{t("optionsSites")}</h2>
      <p class="hint">{t("sitesHint")}</p>
      <h3 class="sites-list-heading">{t("sitesAllowedList")}</h3>
      {sites === null ? (
        <p class="muted">{t("loading")}</p>
      ) : sites.length === 0 ? (
        <p class="muted none">{t("sitesNone")}</p>
      ) : (
        <ul class="allowed-sites">
          {sites.map((pattern) => (
            <li key={pattern} data-pattern={pattern}>
              <span class="site">{siteOf(pattern)}</span>
              <button type="button" class="secondary remove-site" onClick={() => void remove(pattern)}>
                {t("sitesRemove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="add-site"
        onSubmit={(event) => {
          event.preventDefault();
          allow(patternOf(typed));
        }}
      >
        <label class="field">
          <span>{t("sitesAddLabel")}</span>
          <div class="row">
            <input
              type="text"
              name="site"
              inputMode="url"
              autoComplete="off"
              spellcheck={false}
              placeholder="news.ycombinator.com"
              value={typed}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
            <button type="submit" class="primary allow-site" disabled={!typed.trim()}>
              {t("sitesAdd")}
            </button>
          </div>
        </label>
      </form>
      {suggested.length > 0 && (
        <div class="row suggested-sites">
          <span class="hint">{t("sitesSuggested")}</span>
          {suggested.map((site) => (
            <button
              key={site.host}
              type="button"
              class="secondary suggest-site"
              data-host={site.host}
              onClick={() => allow(patternOf(site.host))}
            >
              {site.name}
            </button>
          ))}
        </div>
      )}
      {note && (
        <p class={`note ${note.kind === "ok" ? "ok" : "error"}`} role={note.kind === "ok" ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </section>
  );
}
