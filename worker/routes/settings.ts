import { generateText } from "ai";
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import {
  ChatProviderTestRequest,
  LanguageCostQuery,
  SettingsUpdate,
  type ChatProviderTestResult,
  type ChatProviderUpdate,
  type LanguageCost,
  type Settings,
} from "../../shared/settings";
import { users } from "../db/schema";
import { languageCost } from "../enrich/analyse";
import {
  aiKeyContext,
  chatModel,
  loadChatProvider,
  publicProvider,
  resolveProvider,
  type ResolvedChatProvider,
  StoredUserSettings,
  urlPolicy,
} from "../providers/chat";
import { stopReason } from "../providers/stop-reason";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { countInWindows } from "../lib/throttle";
import { assertPublicUrl } from "../lib/public-url";
import { validate } from "../lib/validator";
import type { Services } from "../services";

/**
 * The user's settings (docs/architecture.md §3): language and auto-sync (columns of `users`)
 * and the chat provider (`users.settings.ai`; its API key sealed like the GitHub token and
 * never returned). A new language or provider takes effect at the next sync; analyses made
 * before are kept (they are shared rows, worker/enrich/analyse.ts). `POST /test` makes one small
 * real call to a provider; `GET /language-cost` says what a language change costs the next sync.
 */
export const settingsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => c.json(await readSettings(c.var.services, c.var.user.id), 200))
  .put("/", validate("json", SettingsUpdate), async (c) => {
    const update = c.req.valid("json");
    const { db, secrets } = c.var.services;
    const userId = c.var.user.id;
    const row = await userRow(c.var.services, userId);
    const previous = StoredUserSettings.parse(row.settings);
    let ai = previous.ai;

    if (update.chatProvider === null) ai = undefined;
    else if (update.chatProvider) {
      const plan = await planProvider(c.var.services, previous, update.chatProvider);
      let apiKeyCiphertext: string | undefined;
      if (plan.key.kind === "new") apiKeyCiphertext = await secrets.seal(plan.key.value, aiKeyContext(row.githubId));
      else if (plan.key.kind === "keep") apiKeyCiphertext = previous.ai?.apiKeyCiphertext;
      ai = { ...plan.ai, ...(apiKeyCiphertext ? { apiKeyCiphertext } : {}) };
    }

    await db
      .update(users)
      .set({
        ...(update.language !== undefined ? { language: update.language } : {}),
        ...(update.autoSync !== undefined ? { autoSync: update.autoSync } : {}),
        ...(update.chatProvider !== undefined ? { settings: { ...previous, ai } } : {}),
        updatedAt: new Date(),
      })
      .where(eq(users.id, userId));
    return c.json(await readSettings(c.var.services, userId), 200);
  })
  .post("/test", validate("json", ChatProviderTestRequest), async (c) => {
    const { chatProvider } = c.req.valid("json");
    // Each test is a real model call, perhaps on the deployment's key, to a URL the person typed.
    const key = [{ key: `ai-test:${c.var.user.id}`, limit: TESTS_PER_MINUTE }];
    const retryAfterMs = await countInWindows(c.var.services.db, key, 60_000);
    if (retryAfterMs > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new ApiError(
        "rate_limited",
        `Too many provider tests: at most ${TESTS_PER_MINUTE} a minute. Try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    }
    return c.json(await testProvider(c.var.services, c.var.user.id, chatProvider), 200);
  })
  .get("/language-cost", validate("query", LanguageCostQuery), async (c) => {
    const { language } = c.req.valid("query");
    const cost: LanguageCost = { language, ...(await languageCost(c.var.services, c.var.user.id, language)) };
    return c.json(cost, 200);
  });

async function userRow(services: Services, userId: number) {
  const [row] = await services.db
    .select({ githubId: users.githubId, settings: users.settings })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The account no longer exists");
  return row;
}

type StoredAi = NonNullable<StoredUserSettings["ai"]>;
type KeyPlan = { kind: "new"; value: string } | { kind: "keep" } | { kind: "none" };

/**
 * The provider an update asks for, as it would be stored (without its key), and what becomes of
 * the key. One reading for `PUT` and `POST /test`, so what the Test button tries is what is saved.
 */
async function planProvider(
  { config }: Services,
  previous: StoredUserSettings,
  next: ChatProviderUpdate,
): Promise<{ ai: Omit<StoredAi, "apiKeyCiphertext">; key: KeyPlan }> {
  if (next.kind === "none") return { ai: { kind: "none" }, key: { kind: "none" } };
  if (next.kind === "workers-ai")
    return { ai: { kind: "workers-ai", ...(next.model ? { model: next.model } : {}) }, key: { kind: "none" } };
  const baseUrl = next.baseUrl ?? undefined;
  if (!baseUrl && !config.ai.baseUrl) {
    throw new ApiError(
      "bad_request",
      "chatProvider.baseUrl is required: this deployment has no OpenAI-compatible endpoint of its own",
    );
  }
  // SSRF: refused now with a clear 400, and checked again before every call.
  if (baseUrl) await assertPublicUrl(baseUrl, urlPolicy(config), "chatProvider.baseUrl");
  // A stored key stays only with the endpoint it was given for: it is never sent to a new host.
  const sameEndpoint = previous.ai?.kind === "openai-compatible" && previous.ai.baseUrl === baseUrl;
  const key: KeyPlan =
    typeof next.apiKey === "string"
      ? { kind: "new", value: next.apiKey }
      : next.apiKey === undefined && sameEndpoint && previous.ai?.apiKeyCiphertext
        ? { kind: "keep" }
        : { kind: "none" };
  return {
    ai: { kind: "openai-compatible", ...(baseUrl ? { baseUrl } : {}), ...(next.model ? { model: next.model } : {}) },
    key,
  };
}

/** Provider tests a user may make a minute (fixed windows in D1, worker/lib/throttle.ts). */
const TESTS_PER_MINUTE = 10;

/** Time for the test call: a person is waiting for the answer. */
const TEST_TIMEOUT_MS = 20_000;

/**
 * One small real call (a few tokens) to the stored provider or the one given, with the same SSRF
 * guard and no-redirect fetch as the analyses (worker/providers/chat.ts); its failure is read as the
 * sync reads it (worker/providers/stop-reason.ts). Nothing is stored.
 */
async function testProvider(
  services: Services,
  userId: number,
  update: ChatProviderUpdate | undefined,
): Promise<ChatProviderTestResult> {
  let provider: ResolvedChatProvider = await loadChatProvider(services, userId);
  const failed = (error: unknown): ChatProviderTestResult => {
    const why = stopReason(error);
    return { ok: false, kind: provider.kind, model: provider.model, ...why };
  };
  if (update) {
    const row = await userRow(services, userId);
    const previous = StoredUserSettings.parse(row.settings);
    // The URL the person typed may be what is refused: that is the test's answer, not a 400.
    let plan: Awaited<ReturnType<typeof planProvider>>;
    try {
      plan = await planProvider(services, previous, update);
    } catch (error) {
      if (error instanceof ApiError && error.code === "bad_request" && update.baseUrl) {
        provider = resolveProvider(services.config, { kind: "openai-compatible", baseUrl: update.baseUrl }, null);
        return failed(error);
      }
      throw error;
    }
    let apiKey: string | null = null;
    if (plan.key.kind === "new") apiKey = plan.key.value;
    else if (plan.key.kind === "keep" && previous.ai?.apiKeyCiphertext)
      apiKey = await services.secrets.open(previous.ai.apiKeyCiphertext, aiKeyContext(row.githubId)).catch(() => null);
    provider = resolveProvider(services.config, plan.ai, apiKey);
  }
  if (provider.kind === "none") return { ok: true, kind: "none", model: provider.model, latencyMs: 0 };
  const started = Date.now();
  try {
    const model = chatModel(services.ai, provider, urlPolicy(services.config));
    if (!model) return { ok: true, kind: provider.kind, model: provider.model, latencyMs: 0 };
    await generateText({
      model,
      prompt: "Reply with the single word: ok",
      maxOutputTokens: 5,
      temperature: 0,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(TEST_TIMEOUT_MS),
    });
    return { ok: true, kind: provider.kind, model: provider.model, latencyMs: Date.now() - started };
  } catch (error) {
    return failed(error);
  }
}

async function readSettings(services: Services, userId: number): Promise<Settings> {
  const { db } = services;
  const [row] = await db
    .select({ language: users.language, autoSync: users.autoSync, settings: users.settings })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw new ApiError("unauthorized", "The account no longer exists");
  const provider = await loadChatProvider(services, userId);
  const storedKey = Boolean(StoredUserSettings.parse(row.settings).ai?.apiKeyCiphertext);
  return { language: row.language, autoSync: row.autoSync, chatProvider: publicProvider(provider, storedKey) };
}
