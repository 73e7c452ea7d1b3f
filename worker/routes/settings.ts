import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { SettingsUpdate, type Settings } from "../../shared/settings";
import { users } from "../db/schema";
import { aiKeyContext, loadChatProvider, publicProvider, StoredUserSettings, urlPolicy } from "../providers/chat";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { assertPublicUrl } from "../lib/public-url";
import { validate } from "../lib/validator";
import type { Services } from "../services";

/**
 * The user's settings (docs/architecture.md §3): language and auto-sync (columns of `users`)
 * and the chat provider (`users.settings.ai`; its API key sealed like the GitHub token and
 * never returned). A new language or provider takes effect at the next sync; analyses made
 * before are kept (they are shared rows, worker/enrich/analyse.ts).
 */
export const settingsRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", async (c) => c.json(await readSettings(c.var.services, c.var.user.id), 200))
  .put("/", validate("json", SettingsUpdate), async (c) => {
    const update = c.req.valid("json");
    const { db, secrets, config } = c.var.services;
    const userId = c.var.user.id;
    const [row] = await db
      .select({ githubId: users.githubId, settings: users.settings })
      .from(users)
      .where(eq(users.id, userId))
      .limit(1);
    if (!row) throw new ApiError("unauthorized", "The account no longer exists");
    const previous = StoredUserSettings.parse(row.settings);
    let ai = previous.ai;

    if (update.chatProvider === null) ai = undefined;
    else if (update.chatProvider) {
      const next = update.chatProvider;
      if (next.kind === "none") ai = { kind: "none" };
      else if (next.kind === "workers-ai") ai = { kind: "workers-ai", ...(next.model ? { model: next.model } : {}) };
      else {
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
        let apiKeyCiphertext: string | undefined;
        if (typeof next.apiKey === "string")
          apiKeyCiphertext = await secrets.seal(next.apiKey, aiKeyContext(row.githubId));
        else if (next.apiKey === undefined && sameEndpoint) apiKeyCiphertext = previous.ai?.apiKeyCiphertext;
        ai = {
          kind: "openai-compatible",
          ...(baseUrl ? { baseUrl } : {}),
          ...(next.model ? { model: next.model } : {}),
          ...(apiKeyCiphertext ? { apiKeyCiphertext } : {}),
        };
      }
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
  });

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
