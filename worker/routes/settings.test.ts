import { describe, expect, it } from "vitest";
import { createServices } from "../services";
import { ErrorBody } from "../../shared/errors";
import { ChatProviderTestResult, LanguageCost, Settings } from "../../shared/settings";
import { app } from "../app";
import { loadChatProvider } from "../providers/chat";
import { aiUrl, api, BASE, emulatorControl, env, signIn } from "../test/helpers";
import { doneOf, fastWorkflows, syncOnce } from "../test/sync-helpers";

const put = (sessionToken: string, body: unknown, bindings: typeof env = env) =>
  app.fetch(
    new Request(`${BASE}/api/settings`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
    bindings,
  );

describe("/api/settings", () => {
  it("starts from the deployment's defaults", async () => {
    const { sessionToken } = await signIn("settings-defaults");
    const response = await api(sessionToken).api.settings.$get();
    expect(response.status).toBe(200);
    expect(Settings.parse(await response.json())).toEqual({
      language: "en",
      autoSync: true,
      // The test deployment's default provider: the AI emulator (EMBEDDING_PROVIDER, CHAT_MODEL in vitest.config.ts).
      chatProvider: {
        kind: "openai-compatible",
        baseUrl: null,
        model: "starwise-chat",
        hasApiKey: false,
        isDefault: true,
      },
    });
  });

  it("stores language, auto-sync and a provider whose key is sealed and never returned", async () => {
    const { sessionToken, user } = await signIn("settings-provider");
    const key = "sk-live-secret-key-123";
    const response = await put(sessionToken, {
      language: "zh",
      autoSync: false,
      chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1/`, model: "gpt-4o-mini", apiKey: key },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(key);
    expect(Settings.parse(JSON.parse(text))).toEqual({
      language: "zh",
      autoSync: false,
      chatProvider: {
        kind: "openai-compatible",
        baseUrl: `${aiUrl()}/v1`,
        model: "gpt-4o-mini",
        hasApiKey: true,
        isDefault: false,
      },
    });
    const row = await env.DB.prepare("select settings, language, auto_sync from users where id = ?")
      .bind(user.id)
      .first<{ settings: string; language: string; auto_sync: number }>();
    expect(row?.settings).not.toContain(key);
    expect(row?.settings).toMatch(/"apiKeyCiphertext":"v1\./);
    expect([row?.language, row?.auto_sync]).toEqual(["zh", 0]);
    // The analysis reads the key back decrypted, bound to this user.
    const provider = await loadChatProvider(createServices(env), user.id);
    expect([provider.apiKey, provider.modelId]).toEqual([key, `openai-compatible:${aiUrl()}/v1#gpt-4o-mini`]);

    // Changing only the model keeps the key; a new endpoint never inherits it.
    const sameHost = Settings.parse(
      await (
        await put(sessionToken, {
          chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1`, model: "other" },
        })
      ).json(),
    );
    expect(sameHost.chatProvider.hasApiKey).toBe(true);
    const moved = Settings.parse(
      await (
        await put(sessionToken, {
          chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v2`, model: "other" },
        })
      ).json(),
    );
    expect(moved.chatProvider.hasApiKey).toBe(false);

    const none = Settings.parse(await (await put(sessionToken, { chatProvider: { kind: "none" } })).json());
    expect(none.chatProvider).toEqual({ kind: "none", baseUrl: null, model: null, hasApiKey: false, isDefault: false });
    const back = Settings.parse(await (await put(sessionToken, { chatProvider: null })).json());
    expect(back.chatProvider.isDefault).toBe(true);
    expect(back.language).toBe("zh");
  });

  it(
    "refuses a base URL that points at a private, loopback or metadata address " + "unless the deployment allows it",
    async () => {
      const { sessionToken } = await signIn("settings-ssrf");
      const strict = { ...env, AI_ALLOW_PRIVATE_URLS: "false" };
      for (const baseUrl of [
        `${aiUrl()}/v1`,
        "http://169.254.169.254/latest",
        "http://[::1]:11434/v1",
        "http://localhost:11434/v1",
        "http://10.0.0.8/v1",
      ]) {
        const response = await put(
          sessionToken,
          { chatProvider: { kind: "openai-compatible", baseUrl, model: "m", apiKey: "sk-x" } },
          strict,
        );
        expect(response.status, baseUrl).toBe(400);
        const body = ErrorBody.parse(await response.json());
        expect(body.error.code).toBe("bad_request");
        expect(body.error.message).toMatch(/chatProvider\.baseUrl points at .*(address|local name)/);
      }
      const settings = Settings.parse(await (await api(sessionToken).api.settings.$get()).json());
      expect(settings.chatProvider.isDefault).toBe(true);
      // The test deployment allows them (its emulators listen on 127.0.0.1).
      expect(
        (await put(sessionToken, { chatProvider: { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1`, model: "m" } }))
          .status,
      ).toBe(200);
    },
  );

  it("validates the body", async () => {
    const { sessionToken } = await signIn("settings-invalid");
    for (const body of [
      {},
      { language: "fr" },
      { chatProvider: { kind: "gemini" } },
      { chatProvider: { kind: "openai-compatible", baseUrl: "file:///etc/passwd" } },
      { extra: 1 },
    ]) {
      const response = await put(sessionToken, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
  });

  it("tests a provider with one real call and says what it answered, in its own words", async () => {
    const { sessionToken } = await signIn("settings-test");
    await emulatorControl("ai", "POST", "config", { chatModels: ["*"] });
    const test = async (body: unknown, bindings: typeof env = env) => {
      const response = await app.fetch(
        new Request(`${BASE}/api/settings/test`, {
          method: "POST",
          headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }),
        bindings,
      );
      expect(response.status).toBe(200);
      return ChatProviderTestResult.parse(await response.json());
    };
    const provider = { kind: "openai-compatible", baseUrl: `${aiUrl()}/v1`, model: "settings-test-model" };
    expect(await test({ chatProvider: { ...provider, apiKey: "sk-emulator" } })).toMatchObject({
      ok: true,
      model: "settings-test-model",
    });
    // OpenAI's 401 body for a wrong key, as the emulator words it.
    expect(await test({ chatProvider: { ...provider, apiKey: "sk-wrong-key-5678" } })).toEqual({
      ok: false,
      kind: "openai-compatible",
      model: "settings-test-model",
      code: "ai_key_rejected",
      httpStatus: 401,
      message: expect.stringMatching(/^Incorrect API key provided: sk-\*+5678\. You can find your API key/),
    });
    // Nothing was saved by a test: the stored provider is still the deployment's.
    const settings = Settings.parse(await (await api(sessionToken).api.settings.$get()).json());
    expect(settings.chatProvider.isDefault).toBe(true);

    await emulatorControl("ai", "POST", "config", { chatModels: ["starwise-chat"] });
    try {
      expect(await test({ chatProvider: { ...provider, apiKey: "sk-emulator" } })).toMatchObject({
        ok: false,
        code: "ai_model_not_found",
        httpStatus: 404,
        message: "The model `settings-test-model` does not exist or you do not have access to it.",
      });
    } finally {
      await emulatorControl("ai", "POST", "config", { chatModels: ["*"] });
    }
    // A private address, where the deployment refuses them: the guard's reason, not a 400.
    const refused = await test(
      { chatProvider: { ...provider, apiKey: "sk-emulator" } },
      { ...env, AI_ALLOW_PRIVATE_URLS: "false" },
    );
    expect(refused).toMatchObject({ ok: false, code: "ai_url_refused", httpStatus: null });
    expect(refused.ok === false && refused.message).toMatch(/loopback address/);
    // Nobody listens there: unreachable.
    const closed = await test({ chatProvider: { ...provider, baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-x" } });
    expect(closed).toMatchObject({ ok: false, code: "ai_unreachable" });

    // Without a body: the stored provider (the stored key is used, never sent back).
    await put(sessionToken, { chatProvider: { ...provider, apiKey: "sk-wrong-key-0000" } });
    expect(await test({})).toMatchObject({ ok: false, code: "ai_key_rejected" });
    // The form's "keep the stored key" (no apiKey) uses the stored one.
    expect(await test({ chatProvider: provider })).toMatchObject({ ok: false, code: "ai_key_rejected" });
    expect(await test({ chatProvider: { kind: "none" } })).toMatchObject({ ok: true, kind: "none" });
  });

  it("allows ten provider tests a minute: each is a real model call", async () => {
    const { sessionToken } = await signIn("settings-test-throttle");
    const test = () =>
      app.fetch(
        new Request(`${BASE}/api/settings/test`, {
          method: "POST",
          headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
          body: JSON.stringify({ chatProvider: { kind: "none" } }),
        }),
        env,
      );
    for (let i = 0; i < 10; i++) expect((await test()).status).toBe(200);
    const refused = await test();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(ErrorBody.parse(await refused.json()).error.message).toMatch(
      /^Too many provider tests: at most 10 a minute/,
    );
  });

  it("says what a language change costs the next sync, and that going back reuses the summaries", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken } = await signIn("settings-language-cost", 4);
    await emulatorControl("ai", "POST", "config", { chatModels: ["*"] });
    const cost = async (language: "en" | "zh") =>
      LanguageCost.parse(
        await (await api(sessionToken).api.settings["language-cost"].$get({ query: { language } })).json(),
      );
    expect(await cost("zh")).toEqual({ language: "zh", toWrite: 0, reused: 0 }); // nothing has a README yet
    doneOf(await syncOnce(sessionToken));
    expect(await cost("en")).toEqual({ language: "en", toWrite: 0, reused: 0 });
    const zh = await cost("zh");
    expect(zh.toWrite).toBe(4);
    await put(sessionToken, { language: "zh" });
    const second = doneOf(await syncOnce(sessionToken)).stats.enrichment!;
    expect(second.analysed).toBe(zh.toWrite);
    // Back to English: every English summary still exists.
    expect(await cost("en")).toEqual({ language: "en", toWrite: 0, reused: 4 });
  });
});
