import { z } from "zod";
import { Language } from "./api.ts";
import { ErrorCode } from "./errors.ts";

/**
 * `GET/PUT /api/settings` (docs/architecture.md §3): the user's language, auto-sync, and the
 * chat provider that writes their repositories' AI analyses. The embedding model is not here:
 * a vector index has fixed dimensions, so it is the deployment's (EMBEDDING_* vars).
 */

export const chatProviderKinds = ["workers-ai", "openai-compatible", "none"] as const;
export const ChatProviderKind = z.enum(chatProviderKinds);
export type ChatProviderKind = z.infer<typeof ChatProviderKind>;

/** The provider as the API shows it: the API key never leaves the Worker, only whether one is stored. */
export const ChatProvider = z.object({
  kind: ChatProviderKind,
  /** OpenAI-compatible endpoint (e.g. `https://api.deepseek.com/v1`); null for the others or the deployment's. */
  baseUrl: z.string().nullable(),
  /** The model's name at that provider; null = the provider's default. */
  model: z.string().nullable(),
  hasApiKey: z.boolean(),
  /** True when the user chose nothing and the deployment's default applies. */
  isDefault: z.boolean(),
});
export type ChatProvider = z.infer<typeof ChatProvider>;

export const Settings = z.object({
  language: Language,
  autoSync: z.boolean(),
  chatProvider: ChatProvider,
});
export type Settings = z.infer<typeof Settings>;

const httpUrl = z
  .string()
  .trim()
  .max(500, "baseUrl is too long")
  .pipe(z.url({ protocol: /^https?$/, error: "baseUrl must be an absolute http(s) URL" }))
  .transform((url) => url.replace(/\/+$/, ""));

/** The chat provider to use from now on; `null` instead of an object = back to the deployment's default. */
export const ChatProviderUpdate = z
  .object({
    kind: ChatProviderKind,
    baseUrl: httpUrl.nullable().optional(),
    model: z.string().trim().min(1, "model must not be empty").max(200).nullable().optional(),
    /**
     * Write-only. Absent = keep the stored key (if the provider's kind and base URL stay the
     * same); null = remove it; a string = store it (encrypted).
     */
    apiKey: z
      .string()
      .trim()
      .min(1, "apiKey must not be empty")
      .max(1000)
      .regex(/^[\x21-\x7e]+$/, "apiKey must be printable ASCII without spaces")
      .nullable()
      .optional(),
  })
  .strict();
export type ChatProviderUpdate = z.input<typeof ChatProviderUpdate>;

/** `PUT /api/settings`: any of the fields; absent ones keep their value. */
export const SettingsUpdate = z
  .object({
    language: Language.optional(),
    autoSync: z.boolean().optional(),
    chatProvider: ChatProviderUpdate.nullable().optional(),
  })
  .strict()
  .refine((update) => Object.values(update).some((value) => value !== undefined), {
    message: "give at least one of language, autoSync, chatProvider",
  });
export type SettingsUpdate = z.input<typeof SettingsUpdate>;

/**
 * `POST /api/settings/test`: one small real call to a chat provider through the Worker. Without
 * `chatProvider` the stored one is tried; with it, that provider (as `PUT` would store it, an absent
 * `apiKey` meaning the stored key) is tried and nothing is saved.
 */
export const ChatProviderTestRequest = z.object({ chatProvider: ChatProviderUpdate.optional() }).strict();
export type ChatProviderTestRequest = z.input<typeof ChatProviderTestRequest>;

/**
 * What the provider answered. `ok: false` carries a code the clients explain and the provider's own
 * words (`message`, untrusted text) with its HTTP status when it gave one.
 */
export const ChatProviderTestResult = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), kind: ChatProviderKind, model: z.string(), latencyMs: z.number().int() }),
  z.object({
    ok: z.literal(false),
    kind: ChatProviderKind,
    model: z.string(),
    code: ErrorCode,
    message: z.string(),
    httpStatus: z.number().int().nullable(),
  }),
]);
export type ChatProviderTestResult = z.infer<typeof ChatProviderTestResult>;

/**
 * `GET /api/settings/language-cost?language=zh`: what choosing that language costs at the next sync.
 * Analyses are kept per (README input, model, language), so going back to a language reuses its rows.
 */
export const LanguageCostQuery = z.object({ language: Language }).strict();
export const LanguageCost = z.object({
  language: Language,
  /** Repositories the next sync writes a new summary for in that language (one model call each, forks share). */
  toWrite: z.number().int(),
  /** Repositories whose summary in that language already exists (no call). */
  reused: z.number().int(),
});
export type LanguageCost = z.infer<typeof LanguageCost>;
