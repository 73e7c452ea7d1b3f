import { useEffect, useState } from "preact/hooks";
import { MessageError, sendMessage, type Status } from "@/lib/messaging";
import { connectionItem } from "@/lib/storage";

type StatusView =
  | { kind: "loading" }
  | { kind: "ready"; status: Status }
  | { kind: "failed"; message: string };

type SyncView =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "started"; attached: boolean }
  | { kind: "failed"; message: string };

function describe(error: unknown): string {
  if (error instanceof MessageError || error instanceof Error) return error.message;
  return String(error);
}

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
          if (!controller.signal.aborted && request === latest) {
            setView({ kind: "failed", message: describe(error) });
          }
        },
      );
    };
    refresh();
    const unwatch = connectionItem.watch(refresh);
    controller.signal.addEventListener("abort", unwatch);
    return () => controller.abort();
  }, []);
  return view;
}

function Connected({ status }: { status: Status }) {
  const [sync, setSync] = useState<SyncView>({ kind: "idle" });

  const startSync = async () => {
    setSync({ kind: "starting" });
    try {
      const started = await sendMessage("startSync");
      setSync({ kind: "started", attached: started.attached });
    } catch (error) {
      setSync({ kind: "failed", message: describe(error) });
    }
  };

  return (
    <section class="card" aria-label="Connection">
      <p class="who">
        Signed in as <strong class="login">{status.login ?? "unknown user"}</strong>
      </p>
      <p class="muted server" title={status.workerUrl}>
        {status.workerUrl}
      </p>
      <button type="button" class="primary" onClick={startSync} disabled={sync.kind === "starting"}>
        {sync.kind === "starting" ? "Starting…" : "Sync"}
      </button>
      {sync.kind === "started" && (
        <p class="note" role="status">
          {sync.attached ? "A sync is already running; following it." : "Sync started."}
        </p>
      )}
      {sync.kind === "failed" && (
        <p class="note error" role="alert">
          {sync.message}
        </p>
      )}
    </section>
  );
}

export function App() {
  const view = useStatus();
  return (
    <main class="popup">
      <header>
        <h1>Starwise</h1>
      </header>
      {view.kind === "loading" && <p class="muted">Loading…</p>}
      {view.kind === "failed" && (
        <p class="note error" role="alert">
          {view.message}
        </p>
      )}
      {view.kind === "ready" &&
        (view.status.connected ? (
          <Connected status={view.status} />
        ) : (
          <section class="card" aria-label="Connection">
            <p class="not-connected">Not connected — open options to connect.</p>
          </section>
        ))}
    </main>
  );
}
