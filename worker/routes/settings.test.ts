import { describe, expect, it } from "vitest";
import { createServices } from "../services";
import { ErrorBody } from "../../shared/errors";
import { Settings } from "../../shared/settings";
import { app } from "../app";
import { loadChatProvider } from "../providers/chat";
import { aiUrl, api, BASE, env, signIn } from "../test/helpers";

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
});
