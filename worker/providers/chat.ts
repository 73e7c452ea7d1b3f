import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { eq } from "drizzle-orm";
import { createWorkersAI } from "workers-ai-provider";
import { z } from "zod";
import type { ChatProvider, ChatProviderKind } from "../../shared/settings";
import type { Config } from "../config";
import { users } from "../db/schema";
import { assertPublicUrl, dohResolver, type PublicUrlPolicy } from "../lib/public-url";
import type { Services } from "../services";

// Which chat model writes a user's analyses (docs/architecture.md §4 "analyse"): the user's
// choice in `users.settings.ai`, else the deployment's default (the provider named by
// EMBEDDING_PROVIDER, model CHAT_MODEL). Shared with `GET/PUT /api/settings`.

/**
 * Workers AI's default: multilingual, and among the models that take `response_format` json_schema
 * (https://developers.cloudflare.com/workers-ai/json-mode/).
 */
export const WORKERS_AI_DEFAULT_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
export const OPENAI_COMPATIBLE_DEFAULT_MODEL = "gpt-4o-mini";

/** `users.settings` as stored: read back through this schema (a storage read is a boundary). */
export const StoredUserSettings = z
  .object({
    ai: z
      .object({
        kind: z.enum(["workers-ai", "openai-compatible", "none"]),
        baseUrl: z.string().optional(),
        model: z.string().optional(),
        apiKeyCiphertext: z.string().optional(),
      })
      .optional(),
  })
  .catch({});
export type StoredUserSettings = z.infer<typeof StoredUserSettings>;

/** Additional data bound to a stored AI key: it only decrypts on its owner's row (like the GitHub token). */
export const aiKeyContext = (githubId: number) => `ai-api-key:${githubId}`;

/** The provider a user's analyses use, with its secret (never leaves the Worker or a step). */
export type ResolvedChatProvider = {
  kind: ChatProviderKind;
  baseUrl: string | null;
  model: string;
  apiKey: string | null;
  isDefault: boolean;
  /**
   * Names the model in `analyses.model`, so rows are shared only between users of the same
   * model. An OpenAI-compatible model is named with its endpoint: a model name alone would let
   * anyone's self-hosted endpoint write "gpt-4o-mini" analyses that other users then read.
   */
  modelId: string;
};

export function resolveProvider(
  config: Config,
  stored: StoredUserSettings["ai"],
  apiKey: string | null,
): ResolvedChatProvider {
  if (!stored) {
    const kind = config.embedding.provider;
    const baseUrl = kind === "openai-compatible" ? config.ai.baseUrl : null;
    const model =
      config.chat.model ?? (kind === "workers-ai" ? WORKERS_AI_DEFAULT_MODEL : OPENAI_COMPATIBLE_DEFAULT_MODEL);
    return {
      kind,
      baseUrl,
      model,
      apiKey: kind === "openai-compatible" ? config.ai.apiKey : null,
      isDefault: true,
      modelId: modelIdOf(kind, baseUrl, model),
    };
  }
  if (stored.kind === "none")
    return { kind: "none", baseUrl: null, model: "heuristic", apiKey: null, isDefault: false, modelId: "heuristic" };
  if (stored.kind === "workers-ai") {
    const model = stored.model ?? WORKERS_AI_DEFAULT_MODEL;
    return {
      kind: "workers-ai",
      baseUrl: null,
      model,
      apiKey: null,
      isDefault: false,
      modelId: modelIdOf("workers-ai", null, model),
    };
  }
  // openai-compatible without a base URL of its own: the deployment's endpoint (and key, unless the user gave one).
  const baseUrl = stored.baseUrl ?? config.ai.baseUrl;
  const model = stored.model ?? OPENAI_COMPATIBLE_DEFAULT_MODEL;
  const key = apiKey ?? (stored.baseUrl ? null : config.ai.apiKey);
  return {
    kind: "openai-compatible",
    baseUrl,
    model,
    apiKey: key,
    isDefault: false,
    modelId: modelIdOf("openai-compatible", baseUrl, model),
  };
}

function modelIdOf(kind: ChatProviderKind, baseUrl: string | null, model: string): string {
  if (kind === "none") return "heuristic";
  if (kind === "workers-ai") return `workers-ai:${model}`;
  return `openai-compatible:${baseUrl ?? ""}#${model}`;
}

/** The user's provider, its key decrypted. A key that no longer decrypts (rotated secret) counts as none. */
export async function loadChatProvider(
  { db, config, secrets }: Pick<Services, "db" | "config" | "secrets">,
  userId: number,
): Promise<ResolvedChatProvider & { language: "en" | "zh" }> {
  const [row] = await db
    .select({ githubId: users.githubId, settings: users.settings, language: users.language })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw new Error(`user ${userId} does not exist`);
  const stored = StoredUserSettings.parse(row.settings).ai;
  let apiKey: string | null = null;
  if (stored?.apiKeyCiphertext) {
    try {
      apiKey = await secrets.open(stored.apiKeyCiphertext, aiKeyContext(row.githubId));
    } catch {
      // Rotated TOKEN_ENCRYPTION_KEY or a row edited by hand: the provider answers 401 and the
      // analyses wait; the settings page shows hasApiKey and the user enters the key again.
    }
  }
  return { ...resolveProvider(config, stored, apiKey), language: row.language };
}

/** The provider as `GET /api/settings` shows it. */
export function publicProvider(provider: ResolvedChatProvider, storedKey: boolean): ChatProvider {
  return {
    kind: provider.kind,
    baseUrl: provider.isDefault ? null : provider.baseUrl,
    model: provider.kind === "none" ? null : provider.model,
    hasApiKey: storedKey,
    isDefault: provider.isDefault,
  };
}

export function urlPolicy(config: Config, fetcher: typeof fetch = fetch): PublicUrlPolicy {
  return {
    allowPrivate: config.outbound.allowPrivateUrls,
    resolve: dohResolver(config.outbound.dnsResolverUrl, fetcher),
  };
}

/** How long a checked host is trusted before it is resolved again (DoH answers carry TTLs of minutes). */
const RECHECK_MS = 60_000;

/**
 * The AI SDK model for a provider, or null for the heuristic analyser. An OpenAI-compatible
 * endpoint is called through a fetch that checks its host again (SSRF, worker/lib/public-url.ts)
 * and follows no redirect: a public endpoint answering 302 → 169.254.169.254 is refused.
 */
export function chatModel(ai: Ai, provider: ResolvedChatProvider, policy: PublicUrlPolicy): LanguageModel | null {
  if (provider.kind === "none") return null;
  if (provider.kind === "workers-ai") return createWorkersAI({ binding: ai })(provider.model);
  const baseUrl = provider.baseUrl;
  if (!baseUrl)
    throw new ProviderUnavailable(
      "No OpenAI-compatible base URL: set one in the settings, or AI_BASE_URL for the deployment",
    );
  let checkedAt = -Infinity;
  const guarded: typeof fetch = async (input, init) => {
    if (Date.now() - checkedAt > RECHECK_MS) {
      await assertPublicUrl(baseUrl, policy);
      checkedAt = Date.now();
    }
    const response = await fetch(input, { ...init, redirect: "manual" });
    if (response.status >= 300 && response.status < 400) {
      throw new ProviderUnavailable(
        `The AI provider answered a redirect (HTTP ${response.status}); redirects are not followed`,
      );
    }
    return response;
  };
  return createOpenAICompatible({
    name: "openai-compatible",
    baseURL: baseUrl,
    ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
    // Sends `response_format: {type: "json_schema"}`, so the model is held to the schema.
    supportsStructuredOutputs: true,
    includeUsage: true,
    fetch: guarded,
  }).chatModel(provider.model);
}

/** The provider cannot be used right now (misconfigured, refused URL, redirect): analyses wait for the next sync. */
export class ProviderUnavailable extends Error {
  override readonly name = "ProviderUnavailable";
}
