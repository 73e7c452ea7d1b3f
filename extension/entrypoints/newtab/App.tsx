import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { Snippet } from "@/components/snippet";
import { parseTags } from "@/components/star-popover";
import { explain, explainError, type Explained } from "@/lib/errors";
import { formatDate, formatNumber, t } from "@/lib/i18n";
import { MessageError, sendMessage, type Card, type SearchRequest, type Status } from "@/lib/messaging";
import { githubUrlOf, safeHttpUrl } from "@/lib/safe-url";
import { fillingNote } from "@/lib/progress";
import { readSyncState, syncStateItem, type SyncState } from "@/lib/storage";

// The new-tab page: search over your stars, keyboard first. Results come as you type
// (debounced; an answer to an older query is dropped, and the background cancels its
// request); ↑/↓ select, Enter opens, `/` focuses the box, Esc clears it.

const DEBOUNCE_MS = 150;

type View =
  | { kind: "loading" }
  | { kind: "signed-out" }
  | { kind: "error"; error: Explained }
  | { kind: "results"; mode: string; items: Card[] };

function useSearch(status: Status | null, request: SearchRequest) {
  const [view, setView] = useState<View>({ kind: "loading" });
  const latest = useRef(0);
  useEffect(() => {
    if (!status) return;
    if (!status.connected) {
      setView({ kind: "signed-out" });
      return;
    }
    const id = ++latest.current;
    const timer = setTimeout(
      () => {
        sendMessage("search", request).then(
          (answer) => id === latest.current && setView({ kind: "results", mode: answer.mode, items: answer.items }),
          (error: unknown) => {
            if (id !== latest.current) return;
            if (error instanceof MessageError && error.code === "aborted") return;
            setView(
              error instanceof MessageError && error.code === "not_connected"
                ? { kind: "signed-out" }
                : { kind: "error", error: explainError(error) },
            );
          },
        );
      },
      request.q ? DEBOUNCE_MS : 0,
    );
    return () => clearTimeout(timer);
  }, [status?.connected, request.q, request.language, request.tag, request.kind]);
  return [view, setView] as const;
}

function Editor({ card, onSaved, onCancel }: { card: Card; onSaved: (card: Card) => void; onCancel: () => void }) {
  const [tags, setTags] = useState((card.customTags ?? []).join(", "));
  const [notes, setNotes] = useState(card.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const item = await sendMessage("updateRepository", {
        fullName: card.fullName,
        customTags: parseTags(tags),
        notes: notes.trim() ? notes : null,
      });
      onSaved({ ...card, customTags: item.customTags, notes: item.notes });
    } catch (failure) {
      setError(explainError(failure).text);
    }
  };
  return (
    <form
      class="editor"
      onSubmit={save}
      onKeyDown={(event) => event.key === "Escape" && (event.stopPropagation(), onCancel())}
    >
      <label class="field">
        <span>{t("popoverTags")}</span>
        <input
          name="tags"
          value={tags}
          onInput={(e) => setTags((e.target as HTMLInputElement).value)}
          placeholder={t("popoverTagsPlaceholder")}
        />
      </label>
      <label class="field">
        <span>{t("popoverNote")}</span>
        <textarea
          name="notes"
          rows={3}
          value={notes}
          onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <div class="row">
        <button type="submit" class="primary">
          {t("popoverSave")}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t("cancel")}
        </button>
        {error && (
          <span class="error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}

/** Why GitHub will not show this repository to the sync, and for SAML where to fix it. */
function Access({ access }: { access: NonNullable<Card["access"]> }) {
  const url = access.state === "sso" ? safeHttpUrl(access.url) : null;
  return (
    <p class="access" role="note" data-state={access.state}>
      {t(access.state === "blocked" ? "accessBlocked" : access.state === "sso" ? "accessSso" : "accessForbidden")}
      {url && (
        <>
          {" "}
          <a href={url} rel="noreferrer">
            {t("accessSsoAuthorise")}
          </a>
        </>
      )}
    </p>
  );
}

function Result({ card, selected, onChange }: { card: Card; selected: boolean; onChange: (card: Card) => void }) {
  const [editing, setEditing] = useState(false);
  const tags = [...new Set([...(card.customTags ?? []), ...(card.aiTags ?? []), ...(card.topics ?? [])])].slice(0, 8);
  const summary = card.customDescription ?? card.aiSummary ?? card.description;
  const homepage = safeHttpUrl(card.homepage);
  return (
    <li
      class={selected ? "result selected" : "result"}
      id={`result-${card.fullName}`}
      aria-selected={selected}
      role="option"
    >
      <h2>
        <a href={githubUrlOf(card.fullName)} class="name">
          {card.fullName}
        </a>
      </h2>
      {summary && <p class="summary">{summary}</p>}
      {card.snippet && <Snippet text={card.snippet.text} ranges={card.snippet.ranges} />}
      <div class="meta">
        {tags.map((tag) => (
          <span class="chip" key={tag}>
            {tag}
          </span>
        ))}
        {card.language && <span class="language">{card.language}</span>}
        {card.stargazersCount !== undefined && (
          <span class="stars">{t("cardStars", formatNumber(card.stargazersCount))}</span>
        )}
        {card.openrank !== null && card.openrank !== undefined && (
          <span class="openrank">{t("badgeOpenrank", formatNumber(Math.round(card.openrank * 100) / 100))}</span>
        )}
        {card.starredAt ? (
          <span class="starred">{t("badgeStarredOn", formatDate(card.starredAt))}</span>
        ) : card.isSaved ? (
          <span>{t("badgeSaved")}</span>
        ) : null}
        {homepage && (
          <a href={homepage} class="homepage" rel="noreferrer">
            {t("cardHomepage")}
          </a>
        )}
        <button type="button" class="link edit" onClick={() => setEditing(!editing)}>
          {t("cardEdit")}
        </button>
      </div>
      {card.access && <Access access={card.access} />}
      {card.notes && !editing && <p class="notes">{card.notes}</p>}
      {editing && (
        <Editor
          card={card}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setEditing(false);
            onChange(next);
          }}
        />
      )}
    </li>
  );
}

export function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [sync, setSync] = useState<SyncState | null>(null);
  const [request, setRequest] = useState<SearchRequest>({ q: "" });
  const [view, setView] = useSearch(status, request);
  const [selected, setSelected] = useState(0);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void sendMessage("getStatus").then(setStatus, (error: unknown) =>
      console.error("starwise: getStatus failed", error),
    );
    void readSyncState().then(setSync);
    // The sync's progress as the background stores it: which layer of the library is still filling.
    const unwatch = syncStateItem.watch((next) => setSync(next));
    box.current?.focus();
    return unwatch;
  }, []);
  const filling = sync ? fillingNote(sync) : null;
  // The last run left summaries out for a reason (a rejected AI key…): one quiet line; the popup has the fix.
  const summariesStop =
    sync && !sync.running && sync.lastResult?.ok
      ? sync.lastResult.stats.enrichment?.stops?.find((stop) => stop.phase === "analyse")
      : undefined;
  useEffect(() => setSelected(0), [view]);

  const items = view.kind === "results" ? view.items : [];
  const languages = useMemo(
    () => [...new Set(items.map((item) => item.language).filter((l): l is string => Boolean(l)))].sort(),
    [items],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing =
        event.target instanceof HTMLElement &&
        event.target.closest("input, textarea, select") &&
        event.target !== box.current;
      if (event.key === "/" && !typing && document.activeElement !== box.current) {
        event.preventDefault();
        box.current?.focus();
        return;
      }
      if (typing) return;
      if (event.key === "Escape") {
        setRequest((r) => ({ ...r, q: "" }));
        box.current?.focus();
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        setSelected((i) => Math.min(items.length - 1, i + 1));
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        setSelected((i) => Math.max(0, i - 1));
      } else if (event.key === "Enter" && items[selected] && document.activeElement === box.current) {
        event.preventDefault();
        location.assign(githubUrlOf(items[selected]!.fullName));
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [items, selected]);

  useEffect(() => {
    document.getElementById(`result-${items[selected]?.fullName}`)?.scrollIntoView({ block: "nearest" });
  }, [selected, items]);

  const replace = (card: Card) =>
    view.kind === "results" &&
    setView({ ...view, items: view.items.map((item) => (item.fullName === card.fullName ? card : item)) });

  return (
    <main class="newtab">
      <header>
        <h1>{t("extName")}</h1>
        <input
          ref={box}
          class="search"
          type="search"
          name="q"
          aria-label={t("searchLabel")}
          placeholder={t("searchPlaceholder")}
          autoFocus
          value={request.q}
          aria-controls="results"
          aria-activedescendant={items[selected] ? `result-${items[selected]!.fullName}` : undefined}
          onInput={(e) => setRequest({ ...request, q: (e.target as HTMLInputElement).value })}
        />
      </header>
      {status?.connected && (
        <div class="filters">
          <select
            name="language"
            aria-label={t("filterLanguage")}
            value={request.language ?? ""}
            onChange={(e) => setRequest({ ...request, language: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">{t("filterAnyLanguage")}</option>
            {[...new Set([...languages, ...(request.language ? [request.language] : [])])].map((language) => (
              <option value={language} key={language}>
                {language}
              </option>
            ))}
          </select>
          <input
            name="tag"
            aria-label={t("filterTag")}
            placeholder={t("filterTag")}
            value={request.tag ?? ""}
            onChange={(e) => setRequest({ ...request, tag: (e.target as HTMLInputElement).value.trim() || undefined })}
          />
          <select
            name="kind"
            aria-label={t("filterKind")}
            value={request.kind ?? ""}
            onChange={(e) =>
              setRequest({
                ...request,
                kind: ((e.target as HTMLSelectElement).value || undefined) as SearchRequest["kind"],
              })
            }
          >
            <option value="">{t("filterAll")}</option>
            <option value="starred">{t("filterStarred")}</option>
            <option value="saved">{t("filterSaved")}</option>
          </select>
        </div>
      )}
      {filling && view.kind !== "signed-out" && (
        <p class="muted filling" role="status">
          {t(filling.key, ...filling.subs)}
        </p>
      )}
      {summariesStop && view.kind !== "signed-out" && (
        <p class="muted summaries-waiting" data-code={summariesStop.code}>
          {t(
            "newtabSummariesWaiting",
            summariesStop.pending + summariesStop.failed,
            explain(summariesStop.code, summariesStop.message).text,
          )}
        </p>
      )}
      {view.kind === "loading" && <p class="state">{t("loading")}</p>}
      {view.kind === "signed-out" && (
        <div class="state signed-out">
          <p>{t("newtabSignedOut")}</p>
          <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
            {t("actionSignIn")}
          </button>
        </div>
      )}
      {view.kind === "error" && (
        <div class="state error" role="alert" data-code={view.error.code}>
          {view.error.code === "worker_unreachable" && !navigator.onLine ? t("newtabOffline") : view.error.text}
        </div>
      )}
      {view.kind === "results" && items.length === 0 && (
        <div class="state empty">
          {!request.q && !sync?.lastSyncedAt ? (
            <>
              <p>{t("newtabNotSynced")}</p>
              <button
                type="button"
                class="primary"
                onClick={() => void sendMessage("startSync").catch((e: unknown) => console.warn(e))}
              >
                {t("syncButton")}
              </button>
            </>
          ) : (
            <p>{t("newtabNoResults")}</p>
          )}
        </div>
      )}
      {view.kind === "results" && items.length > 0 && (
        <>
          <p class="muted mode">{request.q ? t("newtabResults", items.length) : t("newtabRecent")}</p>
          <ul class="results" id="results" role="listbox" aria-label={t("searchLabel")}>
            {items.map((card, index) => (
              <Result key={card.fullName} card={card} selected={index === selected} onChange={replace} />
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
