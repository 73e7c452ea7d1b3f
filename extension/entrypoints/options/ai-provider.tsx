import { useEffect, useState } from "preact/hooks";
import type { ChatProviderKind, ChatProviderTestResult, ChatProviderUpdate, Settings } from "../../../shared/settings";
import { explain, explainError } from "@/lib/errors";
import { t, type MessageKey } from "@/lib/i18n";
import { sendMessage } from "@/lib/messaging";

// The chat provider that writes the account's summaries (`GET/PUT /api/settings`, docs/architecture.md §3):
// kind, base URL, model and a write-only API key, with a Test button that makes one small real call
// through the Worker (`POST /api/settings/test`) and shows what the provider answered.

const KIND_LABEL: Record<ChatProviderKind, MessageKey> = {
  "workers-ai": "aiKindWorkersAi",
  "openai-compatible": "aiKindOpenai",
  none: "aiKindNone",
};

type Note = { kind: "ok" | "error"; text: string; detail?: string; code?: string } | null;

type Form = { kind: ChatProviderKind; baseUrl: string; model: string; apiKey: string; removeKey: boolean };

const formOf = (settings: Settings): Form => ({
  kind: settings.chatProvider.kind,
  baseUrl: settings.chatProvider.baseUrl ?? "",
  // The deployment's model is shown as the placeholder, not typed in: the default stays a default.
  model: settings.chatProvider.isDefault ? "" : (settings.chatProvider.model ?? ""),
  apiKey: "",
  removeKey: false,
});

/** The form as `PUT /api/settings` takes it: an empty field is "the default", an empty key "keep the stored one". */
function updateOf(form: Form): ChatProviderUpdate {
  if (form.kind === "none") return { kind: "none" };
  if (form.kind === "workers-ai") return { kind: "workers-ai", model: form.model.trim() || null };
  return {
    kind: "openai-compatible",
    baseUrl: form.baseUrl.trim() || null,
    model: form.model.trim() || null,
    ...(form.apiKey.trim() ? { apiKey: form.apiKey.trim() } : form.removeKey ? { apiKey: null } : {}),
  };
}

function testNote(result: ChatProviderTestResult): Note {
  if (result.ok) return { kind: "ok", text: t("aiTestOk", result.model, result.latencyMs) };
  return {
    kind: "error",
    code: result.code,
    text: explain(result.code, result.message).text,
    detail:
      result.httpStatus !== null
        ? t("providerSaidStatus", result.httpStatus, result.message)
        : t("providerSaid", result.message),
  };
}

function NoteView({ note, name }: { note: Note; name: string }) {
  if (!note) return null;
  return (
    <div
      class={`note ${note.kind === "ok" ? "ok" : "error"} ${name}`}
      role={note.kind === "ok" ? "status" : "alert"}
      data-code={note.code ?? note.kind}
    >
      <p class="note-text">{note.text}</p>
      {note.detail && <p class="provider-said">{note.detail}</p>}
    </div>
  );
}

export function AiProviderSection() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState<"save" | "test" | null>(null);
  const [note, setNote] = useState<Note>(null);
  const [testResult, setTestResult] = useState<Note>(null);

  const load = () => {
    setNote(null);
    sendMessage("getSettings").then(
      (value) => {
        setSettings(value);
        setForm(formOf(value));
        setDirty(false);
      },
      (error: unknown) => setNote({ kind: "error", ...explainError(error) }),
    );
  };
  useEffect(load, []);

  const edit = (patch: Partial<Form>) => {
    setForm((current) => (current ? { ...current, ...patch } : current));
    setDirty(true);
    setTestResult(null);
  };

  const save = async (chatProvider: ChatProviderUpdate | null) => {
    setBusy("save");
    setNote(null);
    try {
      const next = await sendMessage("saveChatProvider", { chatProvider });
      setSettings(next);
      setForm(formOf(next));
      setDirty(false);
      setNote({ kind: "ok", text: t("aiSaved") });
    } catch (error) {
      setNote({ kind: "error", ...explainError(error) });
    } finally {
      setBusy(null);
    }
  };

  const test = async () => {
    if (!form) return;
    setBusy("test");
    setTestResult(null);
    try {
      // Untouched: what is stored (the deployment's default included); edited: what the form says, unsaved.
      setTestResult(testNote(await sendMessage("testChatProvider", dirty ? { chatProvider: updateOf(form) } : {})));
    } catch (error) {
      setTestResult({ kind: "error", ...explainError(error) });
    } finally {
      setBusy(null);
    }
  };

  if (!settings || !form) {
    return (
      <section class="card ai" aria-labelledby="ai-heading">
        <h2 id="ai-heading">{t("optionsAi")}</h2>
        {note ? (
          <>
            <NoteView note={note} name="ai-note" />
            <button type="button" class="secondary retry" onClick={load}>
              {t("actionRetry")}
            </button>
          </>
        ) : (
          <p class="muted">{t("loading")}</p>
        )}
      </section>
    );
  }

  const provider = settings.chatProvider;
  const defaultModel = provider.model ?? "";
  return (
    <section class="card ai" aria-labelledby="ai-heading">
      <h2 id="ai-heading">{t("optionsAi")}</h2>
      <p class="hint">{t("aiHint")}</p>
      {provider.isDefault && (
        <p class="hint ai-default">{t("aiDefaultInUse", t(KIND_LABEL[provider.kind]), defaultModel || "—")}</p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(updateOf(form));
        }}
      >
        <label class="field">
          <span>{t("aiKind")}</span>
          <select
            name="aiKind"
            value={form.kind}
            onChange={(e) => edit({ kind: (e.target as HTMLSelectElement).value as ChatProviderKind })}
          >
            {(["openai-compatible", "workers-ai", "none"] as const).map((kind) => (
              <option value={kind} key={kind}>
                {t(KIND_LABEL[kind])}
              </option>
            ))}
          </select>
        </label>
        {form.kind === "openai-compatible" && (
          <label class="field">
            <span>{t("aiBaseUrl")}</span>
            <input
              type="url"
              name="aiBaseUrl"
              placeholder="https://api.openai.com/v1"
              value={form.baseUrl}
              onInput={(e) => edit({ baseUrl: (e.target as HTMLInputElement).value })}
            />
            <span class="hint">{t("aiBaseUrlHint")}</span>
          </label>
        )}
        {form.kind !== "none" && (
          <label class="field">
            <span>{t("aiModel")}</span>
            <input
              type="text"
              name="aiModel"
              placeholder={defaultModel}
              value={form.model}
              onInput={(e) => edit({ model: (e.target as HTMLInputElement).value })}
            />
            {defaultModel && <span class="hint">{t("aiModelHint", defaultModel)}</span>}
          </label>
        )}
        {form.kind === "openai-compatible" && (
          <div class="field">
            <label class="field">
              <span>{t("aiApiKey")}</span>
              <input
                type="password"
                name="aiApiKey"
                autoComplete="off"
                value={form.apiKey}
                onInput={(e) => edit({ apiKey: (e.target as HTMLInputElement).value })}
              />
            </label>
            <span class="hint key-state">
              {form.removeKey ? t("aiKeyWillRemove") : provider.hasApiKey ? t("aiKeyStored") : t("aiKeyNone")}
            </span>
            {provider.hasApiKey && !form.removeKey && (
              <button type="button" class="link remove-key" onClick={() => edit({ removeKey: true, apiKey: "" })}>
                {t("aiKeyRemove")}
              </button>
            )}
          </div>
        )}
        <div class="row">
          <button type="submit" class="primary ai-save" disabled={busy !== null || !dirty}>
            {t("aiSave")}
          </button>
          <button type="button" class="secondary ai-test" onClick={() => void test()} disabled={busy !== null}>
            {busy === "test" ? t("aiTesting") : t("aiTest")}
          </button>
          {!provider.isDefault && (
            <button
              type="button"
              class="link ai-default-button"
              onClick={() => void save(null)}
              disabled={busy !== null}
            >
              {t("aiUseDefault")}
            </button>
          )}
        </div>
      </form>
      <NoteView note={testResult} name="test-result" />
      <NoteView note={note} name="ai-note" />
    </section>
  );
}
