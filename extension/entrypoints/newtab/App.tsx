import { useEffect, useRef, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import type { GithubList } from "../../../shared/lists";
import { Snippet } from "@/components/snippet";
import { isolated } from "@/components/untrusted-text";
import { parseTags } from "@/components/star-popover";
import { explain, explainError, type Explained } from "@/lib/errors";
import { formatDate, formatNumber, t } from "@/lib/i18n";
import {
  MessageError,
  SEARCH_PAGE,
  sendMessage,
  type Card,
  type SearchAnswer,
  type SearchRequest,
  type Status,
} from "@/lib/messaging";
import { githubUrlOf, safeHttpUrl } from "@/lib/safe-url";
import { fillingNote } from "@/lib/progress";
import { readSyncState, syncStateItem, type SyncState } from "@/lib/storage";
import { SelectBox, UnstarBar, useSelection, type Selection } from "./unstar";
import { DigestPanel } from "./digest";
import { Filters, ListsNote, totalOf, type Facets, type Lists } from "./filters";
import { HealthChips } from "./health-chips";
import { TagsPanel, type BulkTarget } from "./tags";
import { createUrlWriter, requestFromUrl } from "./url-state";

// The new-tab page: search over your stars, keyboard first. Results come as you type
// (debounced; an answer to an older query is dropped, and the background cancels its
// request); ↑/↓ select, Enter opens, `/` focuses the box, Esc clears it. The search is in the
// page's URL (./url-state.ts): Back from an opened result finds it again.

const DEBOUNCE_MS = 150;

type View =
  | { kind: "loading" }
  | { kind: "signed-out" }
  | { kind: "error"; error: Explained }
  /** `request`: the search these are the answer to (the box may already hold newer words). */
  | {
      kind: "results";
      mode: string;
      items: Card[];
      related: Card[];
      spelling: SearchAnswer["spelling"];
      request: SearchRequest;
    };

/**
 * `changes`: bumped when the library changed under the page (an unstar run ended, a tag operation, a GitHub List
 * written): the same search again.
 */
function useSearch(status: Status | null, request: SearchRequest, changes = 0) {
  const [view, setView] = useState<View>({ kind: "loading" });
  const latest = useRef(0);
  // This page's searches: a newer one cancels its older one, never another tab's.
  const [page] = useState(() => crypto.randomUUID());
  useEffect(() => {
    if (!status) return;
    if (!status.connected) {
      setView({ kind: "signed-out" });
      return;
    }
    const id = ++latest.current;
    const timer = setTimeout(
      () => {
        sendMessage("search", { ...request, page }).then(
          (answer) =>
            id === latest.current &&
            setView({
              kind: "results",
              mode: answer.mode,
              items: answer.items,
              related: answer.related,
              spelling: answer.spelling,
              request,
            }),
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
  }, [
    status?.connected,
    request.q,
    request.language,
    request.tag,
    request.kind,
    request.list,
    request.unlisted,
    changes,
  ]);
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

/**
 * "Watch releases" on a starred card (docs/architecture.md §4, "Watched releases"): kept on the Worker, so it follows
 * the user; the one notification after a sync lists the watched repositories' new releases.
 */
function WatchToggle({ card, onChange }: { card: Card; onChange: (card: Card) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      const { watchReleases } = await sendMessage("setWatch", { fullName: card.fullName, watch: !card.watchReleases });
      onChange({ ...card, watchReleases });
    } catch (failure) {
      setError(t("cardWatchFailed", explainError(failure).text));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class="link watch"
        aria-pressed={Boolean(card.watchReleases)}
        title={t("cardWatchTitle")}
        disabled={busy}
        onClick={() => void toggle()}
      >
        {card.watchReleases ? `🔔 ${t("cardWatching")}` : t("cardWatch")}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}

function Result(props: { card: Card; selected: boolean; onChange: (card: Card) => void; picking?: Selection }) {
  const { card, selected, onChange, picking } = props;
  const [editing, setEditing] = useState(false);
  const tags = [...new Set([...(card.customTags ?? []), ...(card.aiTags ?? []), ...(card.topics ?? [])])].slice(0, 8);
  const summary = card.customDescription ?? card.aiSummary ?? card.description;
  const homepage = safeHttpUrl(card.homepage);
  return (
    <li
      class={selected ? "result selected" : "result"}
      data-gone={card.health?.gone ? "" : undefined}
      id={`result-${card.fullName}`}
      aria-selected={selected}
      role="option"
    >
      <h2>
        {picking && card.isStarred && <SelectBox fullName={card.fullName} selection={picking} />}
        <a href={githubUrlOf(card.fullName)} class="name">
          {card.fullName}
        </a>
      </h2>
      {summary && <p class="summary">{summary}</p>}
      {card.snippet && <Snippet text={card.snippet.text} ranges={card.snippet.ranges} />}
      <div class="meta">
        <HealthChips health={card.health} />
        {(card.lists ?? []).map((list) => (
          <span class="chip list-chip" key={`list:${list}`} title={t("listChip", list)}>
            {list}
          </span>
        ))}
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
        {card.isStarred === false && card.unstarredAt ? (
          <span class="unstarred">{t("cardUnstarredOn", formatDate(card.unstarredAt))}</span>
        ) : card.starredAt ? (
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
        {card.isStarred && !card.health?.gone && <WatchToggle card={card} onChange={onChange} />}
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

/**
 * The library's languages and tags, asked again when a sync finishes and, during one, as each listed
 * page lands (rows first: the library grows while the page is open), and after an unstar run or a tag operation
 * (`changes`).
 */
function useFacets(connected: boolean, sync: SyncState | null, changes = 0): Facets {
  const listed = sync?.progress?.phase === "fetching" ? sync.progress.listed : undefined;
  const grown = `${sync?.lastSyncedAt ?? ""}·${listed ?? ""}·${changes}`;
  const [facets, setFacets] = useState<Facets>("loading");
  useEffect(() => {
    if (!connected) return;
    let current = true;
    sendMessage("facets").then(
      (answer) => current && setFacets(answer),
      (error: unknown) => {
        console.warn("starwise: the library's facets did not load", error);
        if (current) setFacets("failed");
      },
    );
    return () => {
      current = false;
    };
  }, [connected, grown]);
  return facets;
}

/**
 * The user's GitHub Lists, asked again when a sync finishes (each sync reads them) and after a change (`changes`).
 * `put`: a List as GitHub just answered a write, drawn before the Lists are read again.
 */
function useLists(connected: boolean, sync: SyncState | null, changes = 0) {
  const [lists, setLists] = useState<Lists>("loading");
  useEffect(() => {
    if (!connected) return;
    let current = true;
    sendMessage("lists").then(
      (answer) => current && setLists(answer),
      (error: unknown) => {
        console.warn("starwise: the GitHub Lists did not load", error);
        if (current) setLists("failed");
      },
    );
    return () => {
      current = false;
    };
  }, [connected, sync?.lastSyncedAt, changes]);
  const put = (list: GithubList) =>
    setLists((known) => {
      if (typeof known === "string") return known;
      const had = known.lists.some((each) => each.id === list.id);
      return {
        ...known,
        lists: had ? known.lists.map((each) => (each.id === list.id ? list : each)) : [...known.lists, list],
      };
    });
  return [lists, put] as const;
}

/** The search in the URL: read on load and on Back/Forward, written as it changes. */
function useUrlRequest() {
  const [request, setRequest] = useState<SearchRequest>(() => requestFromUrl(location.search));
  const [write] = useState(createUrlWriter);
  useEffect(() => write(request), [request]);
  useEffect(() => {
    const onPop = () => setRequest(requestFromUrl(location.search));
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return [request, setRequest] as const;
}

export function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [sync, setSync] = useState<SyncState | null>(null);
  const [request, setRequest] = useUrlRequest();
  // Bumped when an unstar run ends or a tag operation applies: the panels and the results ask again.
  const [changes, setChanges] = useState(0);
  // Bumped when a GitHub List is written: the Lists and the results (their List chips) ask again, not the panels.
  const [listWrites, setListWrites] = useState(0);
  const [view, setView] = useSearch(status, request, changes + listWrites);
  const facets = useFacets(Boolean(status?.connected), sync, changes);
  const [lists, putList] = useLists(Boolean(status?.connected), sync, changes + listWrites);
  const [selected, setSelected] = useState(0);
  const box = useRef<HTMLInputElement>(null);
  const picking = useSelection();

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
  const clearFilters = () => {
    setRequest((r) => ({ q: r.q }));
    box.current?.focus();
  };

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
          onInput={(e) => {
            const q = (e.target as HTMLInputElement).value;
            // The latest search, not this drawing's: a filter chosen a moment ago may not be drawn yet.
            setRequest((r) => ({ ...r, q }));
          }}
        />
      </header>
      {status?.connected && (
        <>
          <Filters
            facets={facets}
            lists={lists}
            request={request}
            onChange={(patch) => setRequest((r) => ({ ...r, ...patch }))}
          />
          <ListsNote lists={lists} />
        </>
      )}
      {/* What changed in the stars: beside an empty search, out of the way of one being typed. */}
      {status?.connected && !request.q && <DigestPanel key={changes} selection={picking} />}
      {status?.connected && <UnstarBar selection={picking} sync={sync} onChanged={() => setChanges((n) => n + 1)} />}
      {status?.connected && (
        <TagsPanel
          target={bulkTarget(request, items, totalOf(facets, request))}
          onFilter={(tag) => setRequest((r) => ({ ...r, tag }))}
          onChanged={() => setChanges((n) => n + 1)}
          lists={lists}
          onListChanged={(list) => {
            if (list) putList(list);
            setListWrites((n) => n + 1);
          }}
        />
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
        <>
          <Spelling spelling={view.spelling} />
          <Empty request={view.request} synced={Boolean(sync?.lastSyncedAt)} onClear={clearFilters} />
          {view.related.length > 0 && (
            <section class="related" aria-label={t("newtabRelated")}>
              <p class="muted">{t("newtabRelated")}</p>
              <ul class="results">
                {view.related.map((card) => (
                  <Result key={card.fullName} card={card} selected={false} onChange={() => undefined} />
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {view.kind === "results" && items.length > 0 && (
        <>
          <Spelling spelling={view.spelling} />
          <p class="muted mode" role="status">
            {countLine(view.request, items.length, totalOf(facets, view.request), goneOf(facets, view.request))}
          </p>
          <ul class="results" id="results" role="listbox" aria-label={t("searchLabel")}>
            {items.map((card, index) => (
              <Result
                key={card.fullName}
                card={card}
                selected={index === selected}
                onChange={replace}
                picking={picking}
              />
            ))}
          </ul>
        </>
      )}
    </main>
  );
}

/**
 * What the list holds, honestly: the number shown, and the whole when it is known. A search answers
 * at most SEARCH_PAGE matches, so a full page says there may be more rather than a count.
 */
function countLine(request: SearchRequest, shown: number, total: number | null, gone = 0): string {
  if (request.q) return shown < SEARCH_PAGE ? t("newtabResults", formatNumber(shown)) : t("newtabResultsFirst", shown);
  const filtered = Boolean(request.language || request.tag || request.kind || request.list || request.unlisted);
  // Facets counted before the last rows landed (mid-sync) would say "30 of 20": say no total then. The list shows
  // gone stars too (marked gone), the total counts them apart: never as starred.
  const whole = total !== null && total + gone >= shown ? formatNumber(total) : null;
  if (filtered) return whole ? t("newtabFilteredOf", shown, whole) : t("newtabFiltered");
  if (whole && gone > 0) return t("newtabRecentOfGone", shown, whole, formatNumber(gone));
  return whole ? t("newtabRecentOf", shown, whole) : t("newtabRecent");
}

/** Stars gone from GitHub, where the list's total leaves them out: the whole library, unfiltered. */
const goneOf = (facets: Facets, request: SearchRequest) =>
  typeof facets === "string" || request.language || request.tag || request.kind || request.list || request.unlisted
    ? 0
    : facets.gone;

/**
 * What the tags view's bulk change applies to: a search's results as shown (a search ranks, it has no "all"), or
 * every repository the list's filters select — thousands at once, not the page drawn.
 */
function bulkTarget(request: SearchRequest, items: Card[], total: number | null): BulkTarget {
  if (request.q)
    return { selection: { fullNames: items.map((card) => card.fullName) }, count: items.length, all: false };
  const filter = {
    ...(request.language ? { language: request.language } : {}),
    ...(request.tag ? { tag: request.tag } : {}),
    ...(request.kind === "starred" ? { starred: true } : request.kind === "saved" ? { saved: true } : {}),
    ...(request.list ? { list: request.list } : {}),
    ...(request.unlisted ? { unlisted: true } : {}),
  };
  return { selection: { filter }, count: total, all: true };
}

/**
 * Words of the query none of the stars has, and the words one edit away that were searched instead
 * (worker/search/spelling.ts): a correction is never silent.
 */
function Spelling({ spelling }: { spelling: SearchAnswer["spelling"] }) {
  return spelling.map((entry) => (
    <p key={entry.word} class="muted spelling">
      {t("newtabSpelling", isolated(entry.word), entry.instead.map(isolated).join(" / "))}
    </p>
  ));
}

/** An empty list: why, and what to do about it. */
function Empty(props: { request: SearchRequest; synced: boolean; onClear: () => void }) {
  const { request, synced, onClear } = props;
  const filtered = Boolean(request.language || request.tag || request.kind || request.list || request.unlisted);
  const clear = filtered && (
    <button type="button" class="secondary clear-filters" onClick={onClear}>
      {t("newtabClearFilters")}
    </button>
  );
  if (request.q)
    return (
      <div class="state empty no-match" role="status">
        <p class="headline">{t("newtabNoMatch", request.q.trim())}</p>
        <p class="hint">{t(filtered ? "newtabNoMatchFilteredHint" : "newtabNoMatchHint")}</p>
        {clear}
      </div>
    );
  if (filtered)
    return (
      <div class="state empty" role="status">
        <p class="headline">{t("newtabNoneFiltered")}</p>
        {clear}
      </div>
    );
  if (!synced)
    return (
      <div class="state empty">
        <p>{t("newtabNotSynced")}</p>
        <button
          type="button"
          class="primary"
          onClick={() => void sendMessage("startSync").catch((e: unknown) => console.warn(e))}
        >
          {t("syncButton")}
        </button>
      </div>
    );
  return (
    <div class="state empty" role="status">
      <p>{t("newtabEmptyLibrary")}</p>
    </div>
  );
}
