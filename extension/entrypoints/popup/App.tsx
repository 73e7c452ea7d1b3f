import { useEffect, useState } from "preact/hooks";
import { browser } from "wxt/browser";
import { ProgressBar } from "@/components/progress-bar";
import { explain, explainError, type Explained } from "@/lib/errors";
import { formatDateTime, t } from "@/lib/i18n";
import { sendMessage, type Status } from "@/lib/messaging";
import type { EnrichmentStop } from "../../../shared/events";
import {
  connectionItem,
  preferencesItem,
  readDigestVisit,
  readSyncState,
  syncStateItem,
  type SyncState,
} from "@/lib/storage";

type StatusView = { kind: "loading" } | { kind: "ready"; status: Status } | { kind: "failed"; error: Explained };

/** Asks the background for the status now and whenever the stored connection changes. */
function useStatus(): StatusView {
  const [view, setView] = useState<StatusView>({ kind: "loading" });
  useEffect(() => {
    const controller = new AbortController();
    let latest = 0;
    const refresh = () => {
      // Answers can arrive out of order when storage changes quickly; keep the newest.
      const request = ++latest;
      sendMessage("getStatus").then(
        (status) => {
          if (!controller.signal.aborted && request === latest) setView({ kind: "ready", status });
        },
        (error: unknown) => {
          if (!controller.signal.aborted && request === latest) setView({ kind: "failed", error: explainError(error) });
        },
      );
    };
    refresh();
    const unwatchConnection = connectionItem.watch(refresh);
    const unwatchPreferences = preferencesItem.watch(refresh);
    controller.signal.addEventListener("abort", () => {
      unwatchConnection();
      unwatchPreferences();
    });
    return () => controller.abort();
  }, []);
  return view;
}

/** The sync as stored by the background: drawn at once on open, then live. */
function useSyncState(): SyncState | null {
  const [state, setState] = useState<SyncState | null>(null);
  useEffect(() => {
    let alive = true;
    void readSyncState().then((value) => alive && setState(value));
    const unwatch = syncStateItem.watch((value) => alive && setState(value));
    // Wakes the background, which re-attaches to a run it lost while asleep.
    void sendMessage("getSyncState").then(
      (value) => alive && setState(value),
      (error: unknown) => console.warn("starwise: background did not answer getSyncState", error),
    );
    return () => {
      alive = false;
      unwatch();
    };
  }, []);
  return state;
}

const openOptions = () => void browser.runtime.openOptionsPage();

function ErrorNote({ error, onRetry }: { error: Explained; onRetry?: () => void }) {
  return (
    <div class="note error" role="alert" data-code={error.code}>
      <p class="error-text">{error.text}</p>
      {error.action === "options" && (
        <button type="button" class="link" onClick={openOptions}>
          {t("actionOpenOptions")}
        </button>
      )}
      {error.action === "retry" && onRetry && (
        <button type="button" class="link" onClick={onRetry}>
          {t("actionRetry")}
        </button>
      )}
    </div>
  );
}

const STOP_LINE = { analyse: "stopAnalyse", embed: "stopEmbed", openrank: "stopOpenrank" } as const;
/** A phase that stopped before it could count its work (its first step failed). */
const STOP_LINE_UNCOUNTED = {
  analyse: "stopAnalyseNext",
  embed: "stopEmbedNext",
  openrank: "stopOpenrankNext",
} as const;

/**
 * Why a finished run left work for the next one (docs/architecture.md §4, "Why work waits"): what
 * waits, the cause in our words with its fix, and the provider's own words (untrusted text).
 */
function StopNotes({ stops }: { stops: EnrichmentStop[] }) {
  return (
    <>
      {stops.map((stop) => {
        const why = explain(stop.code, stop.message);
        return (
          <div class="note warn stop" role="status" data-code={stop.code} data-phase={stop.phase} key={stop.phase}>
            <p class="stop-what">
              {stop.pending + stop.failed > 0
                ? t(STOP_LINE[stop.phase], stop.pending + stop.failed)
                : t(STOP_LINE_UNCOUNTED[stop.phase])}
            </p>
            <p class="stop-why">{why.text}</p>
            {stop.until !== undefined && <p class="muted">{t("stopUntil", formatDateTime(stop.until))}</p>}
            <p class="muted provider-said" title={stop.message}>
              {stop.code.startsWith("ai_") ? t("providerSaid", stop.message) : t("stopDetail", stop.message)}
            </p>
            {why.action === "options" && (
              <button type="button" class="link fix" onClick={openOptions}>
                {t("actionOpenOptions")}
              </button>
            )}
          </div>
        );
      })}
    </>
  );
}

function LastRun({ state, autoSync }: { state: SyncState; autoSync: boolean }) {
  const result = state.lastResult;
  return (
    <dl class="facts">
      <dt>{t("lastSynced")}</dt>
      <dd class="last-synced">{state.lastSyncedAt ? formatDateTime(state.lastSyncedAt) : t("never")}</dd>
      <dt>{t("nextAutoSync")}</dt>
      <dd class="next-sync">
        {!autoSync ? t("autoSyncOff") : state.nextSyncAt ? formatDateTime(state.nextSyncAt) : t("unknown")}
      </dd>
      {result?.ok && !result.unstar && (
        <>
          <dt>{t("lastResult")}</dt>
          <dd class="last-result">
            {t("resultSummary", result.total, result.new_count, result.updated_count, result.unstarred_count)}
          </dd>
          {(result.stats.listing?.refused ?? 0) > 0 && (
            <dd class="last-result-note">{t("resultRefused", result.stats.listing!.refused)}</dd>
          )}
          {(result.stats.listing?.deferred ?? 0) > 0 && (
            <dd class="last-result-note">{t("resultDeferred", result.stats.listing!.deferred)}</dd>
          )}
        </>
      )}
    </dl>
  );
}

/**
 * One line: how many things changed in the stars since the last visit to the new tab (docs/architecture.md §4,
 * "The digest"; a week when there was none); a click opens the new tab's "What changed" panel. Nothing while it
 * loads or when it cannot be asked: the sync card above says what is wrong.
 */
function DigestLine() {
  const [changes, setChanges] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    void readDigestVisit()
      .then((visit) => {
        const since = new Date(visit.current ?? Date.now() - 7 * 86_400_000).toISOString();
        return sendMessage("digest", { since });
      })
      .then(
        (digest) => current && setChanges(digest.changes + digest.unstarred.total),
        (error: unknown) => console.warn("starwise: the digest did not load", error),
      );
    return () => {
      current = false;
    };
  }, []);
  if (changes === null) return null;
  const open = () => {
    void browser.tabs.create({ url: browser.runtime.getURL("/newtab.html#digest") });
    window.close();
  };
  return (
    <button type="button" class="link digest-line" onClick={open}>
      {changes === 0 ? t("popupDigestNone") : changes === 1 ? t("popupDigestOne") : t("popupDigest", changes)}
    </button>
  );
}

function Connected({ status }: { status: Status }) {
  const state = useSyncState();
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<Explained | null>(null);

  const startSync = async () => {
    setStarting(true);
    setFailure(null);
    try {
      await sendMessage("startSync");
    } catch (error) {
      setFailure(explainError(error));
    } finally {
      setStarting(false);
    }
  };

  const running = state?.running ?? false;
  const lastError =
    state?.lastResult && !state.lastResult.ok ? explain(state.lastResult.code, state.lastResult.message) : null;
  const shownError = failure ?? (running ? null : lastError);
  return (
    <section class="card" aria-label={t("connection")}>
      <p class="who">
        {t("signedInAs")} <strong class="login">{status.login ?? t("unknownUser")}</strong>
      </p>
      <p class="muted server" title={status.workerUrl}>
        {status.workerUrl}
      </p>
      {/* An unstar run holds the sync's lock: the button waits for it and says so (docs/architecture.md §4). */}
      <button type="button" class="primary sync" onClick={startSync} disabled={starting || running}>
        {starting
          ? t("syncStartingButton")
          : running
            ? t(state?.progress?.phase === "unstarring" ? "unstarRunningButton" : "syncRunningButton")
            : t("syncButton")}
      </button>
      {running && state && <ProgressBar progress={state.progress} />}
      {state?.lastResult?.ok && !running && (
        <p class="note done" role="status">
          {!state.lastResult.unstar
            ? t("syncDone")
            : state.lastResult.unstar.action === "unstar"
              ? t("popupUnstarDone", state.lastResult.unstar.done)
              : t("popupRestarDone", state.lastResult.unstar.done)}
        </p>
      )}
      {shownError && <ErrorNote error={shownError} onRetry={startSync} />}
      {!running && state?.lastResult?.ok && <StopNotes stops={state.lastResult.stats.enrichment?.stops ?? []} />}
      {state && <LastRun state={state} autoSync={status.autoSync} />}
      <DigestLine />
    </section>
  );
}

export function App() {
  const view = useStatus();
  return (
    <main class="popup">
      <header>
        <h1>{t("extName")}</h1>
        <button type="button" class="link options" onClick={openOptions}>
          {t("optionsLink")}
        </button>
      </header>
      {view.kind === "loading" && <p class="muted">{t("loading")}</p>}
      {view.kind === "failed" && <ErrorNote error={view.error} />}
      {view.kind === "ready" &&
        (view.status.connected ? (
          <Connected status={view.status} />
        ) : (
          <section class="card" aria-label={t("connection")}>
            <p class="not-connected">{t("notConnected")}</p>
            <button type="button" class="primary" onClick={openOptions}>
              {t("actionSignIn")}
            </button>
          </section>
        ))}
    </main>
  );
}
