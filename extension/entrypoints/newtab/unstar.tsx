import { useEffect, useRef, useState } from "preact/hooks";
import type { UnstarPreview, UnstarRun, UnstarState } from "../../../shared/unstar";
import { ProgressBar } from "@/components/progress-bar";
import { explain, explainError, type Explained } from "@/lib/errors";
import { formatDate, formatNumber, t } from "@/lib/i18n";
import { sendMessage } from "@/lib/messaging";
import type { SyncState } from "@/lib/storage";

// Unstar in bulk, reversibly (docs/architecture.md §4, "Unstar in bulk"), on the new tab: stars picked in the
// "What changed" panel or the results → "Unstar N on GitHub" → a confirmation that says what will happen and what
// cannot be undone → the run's progress (the sync's stream, as the popup shows it) → its outcome and Undo. A token
// that may not write leaves the button off with the reason and the fix. Names are text, never HTML.

/** The stars picked for unstarring, by full name. */
export type Selection = {
  selected: ReadonlySet<string>;
  toggle: (fullName: string) => void;
  clear: () => void;
};

export function useSelection(): Selection {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  return {
    selected,
    toggle: (fullName) =>
      setSelected((current) => {
        const next = new Set(current);
        if (!next.delete(fullName)) next.add(fullName);
        return next;
      }),
    clear: () => setSelected(new Set()),
  };
}

/** The checkbox beside a starred repository's name. */
export function SelectBox({ fullName, selection }: { fullName: string; selection: Selection }) {
  return (
    <input
      type="checkbox"
      class="unstar-select"
      aria-label={t("unstarSelect", fullName)}
      checked={selection.selected.has(fullName)}
      onChange={() => selection.toggle(fullName)}
    />
  );
}

/** A run's outcome shows for a day. */
const SHOWN_FOR_MS = 86_400_000;
/** Names the confirmation lists before "and N more". */
const LISTED = 12;

function Outcome({ run, onAction }: { run: UnstarRun; onAction: (action: "undo" | "resume") => void }) {
  const { done, missing, failed, pending } = run.counts;
  const restar = run.action === "restar";
  return (
    <div class="unstar-outcome" role="status" data-status={run.status} data-action={run.action}>
      <p>
        {run.status === "running"
          ? t(restar ? "phaseRestarring" : "phaseUnstarring", done + missing + failed, run.total)
          : run.status === "stopped"
            ? t(restar ? "unstarRestarStopped" : "unstarStopped", done + missing + failed, run.total)
            : t(restar ? "unstarRestarDone" : "unstarDone", formatNumber(done))}
        {missing > 0 && ` ${t("unstarMissing", formatNumber(missing))}`}
        {failed > 0 && ` ${t("unstarFailed", formatNumber(failed))}`}
      </p>
      {run.error && (
        <p class="unstar-error" data-code={run.error.code}>
          {explain(run.error.code, run.error.message).text}
        </p>
      )}
      {!restar && run.status === "done" && <p class="muted">{t("unstarKeptNote")}</p>}
      {restar && run.status === "done" && <p class="muted">{t("unstarRestarDateNote")}</p>}
      <div class="unstar-actions">
        {run.status === "stopped" && pending > 0 && (
          <button type="button" class="primary" onClick={() => onAction("resume")}>
            {t("unstarResume", formatNumber(pending))}
          </button>
        )}
        {run.undoable && (
          <button type="button" class="secondary unstar-undo" onClick={() => onAction("undo")}>
            {t("unstarUndo", formatNumber(done))}
          </button>
        )}
      </div>
    </div>
  );
}

function Confirm(props: { preview: UnstarPreview; onCancel: () => void; onConfirm: () => void; busy: boolean }) {
  const { preview, onCancel, onConfirm, busy } = props;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector<HTMLButtonElement>("button.cancel")?.focus(), []);
  const n = preview.total - preview.privateRefused.length;
  const withNotes = preview.items.filter((item) => item.hasNotes || item.tags.length > 0).length;
  const minutes = Math.max(1, Math.ceil(n / 60));
  return (
    <div class="unstar-dialog-backdrop">
      <div
        ref={box}
        class="unstar-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="unstar-dialog-title"
        onKeyDown={(event) => event.key === "Escape" && onCancel()}
      >
        <h2 id="unstar-dialog-title">{t("unstarConfirmTitle", formatNumber(n))}</h2>
        <ul class="unstar-names">
          {preview.items.slice(0, LISTED).map((item) => (
            <li key={item.fullName}>
              <bdi>{item.fullName}</bdi>
              {item.hasNotes && <span class="chip">{t("unstarHasNotes")}</span>}
              {item.gone && <span class="chip">{t("digestGone")}</span>}
              {item.archived && <span class="chip">{t("digestArchived")}</span>}
            </li>
          ))}
        </ul>
        {preview.items.length > LISTED && (
          <p class="muted">{t("digestMore", formatNumber(preview.items.length - LISTED))}</p>
        )}
        <ul class="unstar-what">
          <li>{t("unstarWhatGithub")}</li>
          <li>{withNotes > 0 ? t("unstarWhatKeptCount", formatNumber(withNotes)) : t("unstarWhatKept")}</li>
          <li>{t("unstarWhatUndo")}</li>
          <li>{t("unstarWhatPace", formatNumber(minutes))}</li>
          {preview.privateRefused.length > 0 && (
            <li>{t("unstarWhatPrivate", formatNumber(preview.privateRefused.length))}</li>
          )}
          {preview.notInLibrary.length > 0 && (
            <li>{t("unstarWhatNotInLibrary", formatNumber(preview.notInLibrary.length))}</li>
          )}
        </ul>
        <div class="unstar-actions">
          <button type="button" class="secondary cancel" onClick={onCancel}>
            {t("unstarCancel")}
          </button>
          <button type="button" class="danger confirm" onClick={onConfirm} disabled={busy || n === 0}>
            {t("unstarConfirm", formatNumber(n))}
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * The bar under the panel: what is picked and the button, the run going, or the last run's outcome with Undo or
 * Resume. `onChanged`: a run ended, the library changed.
 */
export function UnstarBar(props: { selection: Selection; sync: SyncState | null; onChanged: () => void }) {
  const { selection, sync, onChanged } = props;
  const [state, setState] = useState<UnstarState | null>(null);
  const [preview, setPreview] = useState<UnstarPreview | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Explained | null>(null);
  const progress = sync?.running && sync.progress?.phase === "unstarring" ? sync.progress : null;
  const running = Boolean(progress);

  const refresh = () => sendMessage("unstarState").then(setState, (error: unknown) => setFailure(explainError(error)));
  useEffect(() => void refresh(), []);
  // The run's stream ended: ask for its outcome.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) void refresh();
    wasRunning.current = running;
  }, [running]);
  // The latest run ended (seen on the stream or asked): the library changed. One the stream does not show (it
  // ended before the background attached) is asked again every 2 s until it ends.
  const latestKey = state?.runs[0] ? `${state.runs[0].id} ${state.runs[0].status}` : null;
  const previousKey = useRef<string | null>(null);
  useEffect(() => {
    const previous = previousKey.current;
    previousKey.current = latestKey;
    if (previous?.endsWith(" running") && latestKey && !latestKey.endsWith(" running")) onChanged();
    if (!latestKey?.endsWith(" running") || running) return;
    const timer = setTimeout(() => void refresh(), 2000);
    return () => clearTimeout(timer);
  }, [latestKey, running]);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
      await refresh();
    } catch (error) {
      setFailure(explainError(error));
    } finally {
      setBusy(false);
    }
  };
  const names = [...selection.selected];
  const ask = () => act(async () => setPreview(await sendMessage("unstarPreview", { selection: { names } })));
  const confirm = () =>
    act(async () => {
      await sendMessage("startUnstar", { selection: { names } });
      setPreview(null);
      selection.clear();
    });
  const runAction = (runId: string, action: "undo" | "resume") =>
    act(() => sendMessage("unstarRunAction", { runId, action }));

  const write = state?.starWrite;
  const latest = state?.runs[0];
  const showLatest = latest && !running && Date.now() - Date.parse(latest.createdAt) < SHOWN_FOR_MS;
  if (!running && names.length === 0 && !showLatest && !failure) return null;
  return (
    <section class="unstar-bar" aria-label={t("unstarTitle")}>
      {progress && (
        <div class="unstar-progress" role="status">
          <ProgressBar progress={progress} />
        </div>
      )}
      {showLatest && latest && <Outcome run={latest} onAction={(action) => void runAction(latest.id, action)} />}
      {names.length > 0 && !running && (
        <div class="unstar-picked">
          <span>{t("unstarPicked", formatNumber(names.length))}</span>
          <button
            type="button"
            class="danger unstar-start"
            disabled={busy || write?.state === "missing"}
            onClick={() => void ask()}
          >
            {t("unstarButton", formatNumber(names.length))}
          </button>
          <button type="button" class="link" onClick={selection.clear}>
            {t("unstarClear")}
          </button>
        </div>
      )}
      {names.length > 0 && write?.state === "missing" && (
        <p class="unstar-why" data-state="missing">
          {t("unstarWriteMissing", write.scopes || t("unstarNoScopes"))}
        </p>
      )}
      {names.length > 0 && write?.state === "refused" && (
        <p class="unstar-why" data-state="refused">
          {t("unstarWriteRefused", write.refusedAt ? formatDate(write.refusedAt) : t("unknown"))}
        </p>
      )}
      {names.length > 0 && write?.state === "unknown" && write.token === "fine-grained" && (
        <p class="muted unstar-why" data-state="unknown">
          {t("unstarWriteUnknown")}
        </p>
      )}
      {failure && (
        <p class="unstar-error" role="alert" data-code={failure.code}>
          {failure.text}
        </p>
      )}
      {preview && (
        <Confirm preview={preview} busy={busy} onCancel={() => setPreview(null)} onConfirm={() => void confirm()} />
      )}
    </section>
  );
}
