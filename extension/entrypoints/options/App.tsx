import { useEffect, useState } from "preact/hooks";
import { explainError, type Explained } from "@/lib/errors";
import { t, type MessageKey } from "@/lib/i18n";
import { MessageError, sendMessage, type Status } from "@/lib/messaging";
import { connectionItem, DEFAULT_WORKER_URL, preferencesItem, type Preferences } from "@/lib/storage";

// The options page: where the Worker is, who is signed in, language and auto-sync, and
// the account's deletion. The GitHub token typed here goes to the background once, is
// exchanged for a session and is not kept anywhere in the extension.

type Note = { kind: "ok" | "error"; text: string; code?: string } | null;

function useStatus(): Status | null {
  const [status, setStatus] = useState<Status | null>(null);
  useEffect(() => {
    let alive = true;
    const refresh = () =>
      void sendMessage("getStatus").then(
        (value) => alive && setStatus(value),
        (error: unknown) => console.error("starwise: getStatus failed", error),
      );
    refresh();
    const unwatch = [connectionItem.watch(refresh), preferencesItem.watch(refresh)];
    return () => {
      alive = false;
      for (const stop of unwatch) stop();
    };
  }, []);
  return status;
}

/** Sign-in failures in the words a user needs (a rejected token, an unreachable Worker). */
function signInError(error: unknown, workerUrl: string): Note {
  const code = error instanceof MessageError ? error.code : "internal";
  const keys: Record<string, MessageKey> = {
    github_token_invalid: "signInTokenRejected",
    worker_unreachable: "signInUnreachable",
    bad_request: "signInTokenMalformed",
    bad_message: "signInTokenMalformed",
  };
  const key = keys[code];
  const explained: Explained = explainError(error);
  return { kind: "error", code, text: key ? t(key, workerUrl) : explained.text };
}

function ServerAndAccount({ status }: { status: Status }) {
  const [workerUrl, setWorkerUrl] = useState(status.workerUrl || DEFAULT_WORKER_URL);
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note>(null);

  const check = async () => {
    setBusy(true);
    try {
      const { version } = await sendMessage("checkWorker", { workerUrl });
      setNote({ kind: "ok", text: t("workerReachable", version) });
    } catch (error) {
      setNote(signInError(error, workerUrl));
    } finally {
      setBusy(false);
    }
  };

  const signIn = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setNote(null);
    try {
      const next = await sendMessage("signIn", { workerUrl: workerUrl.trim(), githubToken: token });
      setToken("");
      setNote({ kind: "ok", text: t("signedInOk", next.login ?? "") });
    } catch (error) {
      setNote(signInError(error, workerUrl));
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    setBusy(true);
    try {
      await sendMessage("signOut");
      setNote({ kind: "ok", text: t("signedOutOk") });
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="account-heading">
      <h2 id="account-heading">{t("optionsAccount")}</h2>
      {status.connected ? (
        <>
          <p class="who">
            {t("signedInAs")} <strong class="login">{status.login}</strong>
          </p>
          <p class="hint server">{status.workerUrl}</p>
          <button type="button" class="secondary sign-out" onClick={signOut} disabled={busy}>
            {t("signOut")}
          </button>
        </>
      ) : (
        <form onSubmit={signIn}>
          <label class="field">
            <span>{t("workerUrl")}</span>
            <div class="row">
              <input
                type="url"
                name="workerUrl"
                required
                value={workerUrl}
                onInput={(e) => setWorkerUrl((e.target as HTMLInputElement).value)}
              />
            </div>
            <span class="hint">{t("workerUrlHint", DEFAULT_WORKER_URL)}</span>
          </label>
          <label class="field">
            <span>{t("githubToken")}</span>
            <input
              type="password"
              name="githubToken"
              autoComplete="off"
              required
              value={token}
              onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            />
            <span class="hint">{t("githubTokenHint")}</span>
          </label>
          <div class="row">
            <button type="submit" class="primary sign-in" disabled={busy || !token.trim()}>
              {busy ? t("signingIn") : t("signIn")}
            </button>
            <button type="button" class="secondary check" onClick={check} disabled={busy}>
              {t("checkWorker")}
            </button>
          </div>
        </form>
      )}
      {note && (
        <p
          class={`note ${note.kind === "ok" ? "ok" : "error"}`}
          role={note.kind === "ok" ? "status" : "alert"}
          data-code={note.code}
        >
          {note.text}
        </p>
      )}
    </section>
  );
}

function PreferencesSection({ status }: { status: Status }) {
  const [note, setNote] = useState<Note>(null);
  const save = async (patch: Partial<Preferences>) => {
    try {
      await sendMessage("setPreferences", patch);
      setNote({ kind: "ok", text: t("saved") });
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    }
  };
  return (
    <section class="card" aria-labelledby="prefs-heading">
      <h2 id="prefs-heading">{t("optionsPreferences")}</h2>
      <label class="field">
        <span>{t("language")}</span>
        <select
          name="language"
          value={status.language}
          onChange={(e) => void save({ language: (e.target as HTMLSelectElement).value as Preferences["language"] })}
        >
          <option value="auto">{t("languageAuto")}</option>
          {/* Each language named in itself, whatever the page's language. */}
          <option value="en">{t("languageEnglish")}</option>
          <option value="zh">{t("languageChinese")}</option>
        </select>
      </label>
      <label class="row">
        <input
          type="checkbox"
          name="autoSync"
          checked={status.autoSync}
          onChange={(e) => void save({ autoSync: (e.target as HTMLInputElement).checked })}
        />
        <span>{t("autoSync")}</span>
      </label>
      <p class="hint">{t("autoSyncHint")}</p>
      {note && (
        <p class={`note ${note.kind === "ok" ? "ok" : "error"}`} role="status">
          {note.text}
        </p>
      )}
    </section>
  );
}

function DangerZone() {
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<Note>(null);
  const remove = async () => {
    try {
      await sendMessage("deleteAccount");
      setConfirming(false);
      setNote({ kind: "ok", text: t("accountDeleted") });
    } catch (error) {
      setNote({ kind: "error", text: explainError(error).text });
    }
  };
  return (
    <section class="card danger-zone" aria-labelledby="danger-heading">
      <h2 id="danger-heading">{t("deleteAccount")}</h2>
      <p class="hint">{t("deleteAccountHint")}</p>
      {confirming ? (
        <div class="row" role="group" aria-label={t("deleteAccountConfirm")}>
          <span class="error">{t("deleteAccountConfirm")}</span>
          <button type="button" class="danger confirm-delete" onClick={remove}>
            {t("deleteAccountYes")}
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            {t("cancel")}
          </button>
        </div>
      ) : (
        <button type="button" class="secondary delete-account" onClick={() => setConfirming(true)}>
          {t("deleteAccount")}
        </button>
      )}
      {note && (
        <p class={`note ${note.kind === "ok" ? "ok" : "error"}`} role="status">
          {note.text}
        </p>
      )}
    </section>
  );
}

export function App() {
  const status = useStatus();
  return (
    <main class="options">
      <h1>{t("optionsTitle")}</h1>
      {!status ? (
        <p class="muted">{t("loading")}</p>
      ) : (
        <>
          <ServerAndAccount status={status} />
          <PreferencesSection status={status} />
          {status.connected && <DangerZone />}
        </>
      )}
    </main>
  );
}
