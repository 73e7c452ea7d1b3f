import { z } from "zod";
import { Language } from "./api.ts";

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
