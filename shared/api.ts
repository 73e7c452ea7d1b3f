import { z } from "zod";

/** The HTTP contract between the Worker and its clients (docs/architecture.md §4). */

export const Health = z.object({ ok: z.literal(true), version: z.string() });

export const AuthTokenRequest = z.object({
  githubToken: z
    .string()
    .trim()
    .min(1, "githubToken is required")
    .max(512, "githubToken is too long")
    .regex(/^[\x21-\x7e]+$/, "githubToken must be printable ASCII without spaces"),
});
export type AuthTokenRequest = z.infer<typeof AuthTokenRequest>;

export const PublicUser = z.object({
  id: z.number().int(),
  login: z.string(),
  avatarUrl: z.string().nullable(),
});
export type PublicUser = z.infer<typeof PublicUser>;

export const AuthTokenResponse = z.object({
  /** Shown once; the Worker keeps only its hash. */
  sessionToken: z.string(),
  user: PublicUser,
});
export type AuthTokenResponse = z.infer<typeof AuthTokenResponse>;

export const Language = z.enum(["en", "zh"]);

export const Me = z.object({
  user: PublicUser.extend({
    language: Language,
    autoSync: z.boolean(),
    tokenStatus: z.enum(["valid", "invalid"]),
  }),
  sync: z.object({
    lastSyncedAt: z.string().nullable(),
    nextSyncAt: z.string().nullable(),
  }),
  library: z.object({ starred: z.number().int(), saved: z.number().int() }),
});
export type Me = z.infer<typeof Me>;
