import { useEffect, useState } from "preact/hooks";
import { explainError, type Explained } from "@/lib/errors";
import { t, type MessageKey } from "@/lib/i18n";
import { MessageError, sendMessage, type Status } from "@/lib/messaging";
import { connectionItem, DEFAULT_WORKER_URL, preferencesItem, type Preferences } from "@/lib/storage";
import type { LanguageCost } from "../../../shared/settings";
import { AiProviderSection } from "./ai-provider";
import { FeedSection } from "./feed";
import { NotificationsSection } from "./notifications";
import { SitesSection } from "./sites";

// The options page: where the Worker is, who is signed in (and re-authorising when GitHub no
// longer accepts the token), the AI provider, language (with what a change costs) and auto-sync,
// your stars on other sites (./sites.tsx), and the account's deletion. The GitHub token typed here
// goes to the background once, is exchanged for a session and is not kept anywhere in the extension.

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

type Account = { kind: "checking" } | { kind: "ok" } | { kind: "token-invalid" } | { kind: "failed"; note: Note };

/** Whether GitHub still accepts the account's token (`GET /api/me`), asked again after each sign-in. */
function useAccount(status: Status): [Account, () => void] {
  const [account, setAccount] = useState<Account>({ kind: "checking" });
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (!status.connected) return;
    let alive = true;
    setAccount({ kind: "checking" });
    sendMessage("getAccount").then(
      ({ tokenStatus }) => alive && setAccount({ kind: tokenStatus === "valid" ? "ok" : "token-invalid" }),
      (error: unknown) => {
        const explained = explainError(error);
        if (alive) setAccount({ kind: "failed", note: { kind: "error", text: explained.text, code: explained.code } });
      },
    );
    return () => {
      alive = false;
    };
  }, [status.connected, status.login, asked]);
  return [account, () => setAsked((n) => n + 1)];
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

/** GitHub rejected the account's token: the reason, and a field for a new one (a sign-in with it). */
function Reauthorise({ status, onDone }: { status: Status; onDone: (note: Note) => void }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setNote(null);
    try {
      const next = await sendMessage("signIn", { workerUrl: status.workerUrl, githubToken: token });
      setToken("");
      // Said by the account section: this form goes away once GitHub accepts the account again.
      onDone({ kind: "ok", text: t("reauthDone", next.login ?? "") });
    } catch (error) {
      setNote(signInError(error, status.workerUrl));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="reauthorise" onSubmit={submit} data-code="github_token_invalid">
      <h3 class="error">{t("reauthTitle")}</h3>
      <p class="why">{t("reauthWhy")}</p>
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
      <button type="submit" class="primary reauthorise-submit" disabled={busy || !token.trim()}>
        {busy ? t("signingIn") : t("reauthSubmit")}
      </button>
      {note && (
        <p class={`note ${note.kind === "ok" ? "ok" : "error"}`} role={note.kind === "ok" ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </form>
  );
}

function ServerAndAccount({ status }: { status: Status }) {
  const [account, recheck] = useAccount(status);
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
          {account.kind === "token-invalid" && (
            <Reauthorise
              status={status}
              onDone={(done) => {
                setNote(done);
                recheck();
              }}
            />
          )}
          {account.kind === "failed" && (
            <div class="note error account-failed" role="alert" data-code={account.note?.code}>
              <p>{t("accountUnreachable")}</p>
              <p class="hint">{account.note?.text}</p>
              <button type="button" class="secondary retry" onClick={recheck}>
                {t("actionRetry")}
              </button>
            </div>
          )}
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

const LANGUAGE_NAME = { en: "languageEnglish", zh: "languageChinese" } as const;

/** What switching the summaries' language costs the next sync, said before the switch. */
function costText(cost: LanguageCost, withModel: boolean): string {
  const name = t(LANGUAGE_NAME[cost.language]);
  if (cost.toWrite === 0) return t("languageCostFree", name);
  const write = t(withModel ? "languageCostWrite" : "languageCostWriteNoModel", cost.toWrite, name);
  return cost.reused > 0 ? `${write} ${t("languageCostReuse", cost.reused, name)}` : write;
}

function PreferencesSection({ status }: { status: Status }) {
  const [note, setNote] = useState<Note>(null);
  /** A language change waiting for the person to accept what it costs. */
  const [pending, setPending] = useState<{
    language: "en" | "zh";
    cost: LanguageCost | null;
    withModel: boolean;
  } | null>(null);
  const chooseLanguage = async (language: Preferences["language"]) => {
    setNote(null);
    // "auto" follows the browser and does not change the Worker's language; signed out, nothing is analysed.
    if (language === "auto" || !status.connected) return save({ language });
    setPending({ language, cost: null, withModel: true });
    try {
      const [settings, cost] = await Promise.all([
        sendMessage("getSettings"),
        sendMessage("languageCost", { language }),
      ]);
      if (settings.language === language) {
        setPending(null);
        return save({ language });
      }
      setPending({ language, cost, withModel: settings.chatProvider.kind !== "none" });
    } catch (error) {
      setPending(null);
      setNote({ kind: "error", text: explainError(error).text });
    }
  };
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
          value={pending?.language ?? status.language}
          onChange={(e) => void chooseLanguage((e.target as HTMLSelectElement).value as Preferences["language"])}
        >
          <option value="auto">{t("languageAuto")}</option>
          {/* Each language named in itself, whatever the page's language. */}
          <option value="en">{t("languageEnglish")}</option>
          <option value="zh">{t("languageChinese")}</option>
        </select>
      </label>
      {pending && (
        <div class="note warn language-cost" role="status">
          <p class="cost">{pending.cost ? costText(pending.cost, pending.withModel) : t("languageCostChecking")}</p>
          <div class="row">
            <button
              type="button"
              class="primary confirm-language"
              disabled={!pending.cost}
              onClick={() => {
                const { language } = pending;
                setPending(null);
                void save({ language });
              }}
            >
              {t("languageCostConfirm")}
            </button>
            <button type="button" class="secondary cancel-language" onClick={() => setPending(null)}>
              {t("cancel")}
            </button>
          </div>
        </div>
      )}
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
          {status.connected ? (
            <AiProviderSection />
          ) : (
            <section class="card ai" aria-labelledby="ai-heading">
              <h2 id="ai-heading">{t("optionsAi")}</h2>
              <p class="hint">{t("aiNeedsSignIn")}</p>
            </section>
          )}
          <PreferencesSection status={status} />
          {status.connected && <NotificationsSection />}
          {status.connected && <FeedSection />}
          <SitesSection />
          {status.connected && <DangerZone />}
        </>
      )}
    </main>
  );
}
