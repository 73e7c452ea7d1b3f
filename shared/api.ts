import { z } from "zod";

/** The HTTP contract between the Worker and its clients (docs/architecture.md §3). */

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
  /**
   * `starred`: stars whose repository is still on GitHub; `gone`: stars whose repository left GitHub (deleted,
   * blocked, made private: docs/architecture.md §4, "Gone is not unstarred"), kept with their notes and never
   * counted as starred; `saved`: saved without a star. (`gone` defaults to 0 from an older Worker.)
   */
  library: z.object({ starred: z.number().int(), saved: z.number().int(), gone: z.number().int().default(0) }),
});
export type Me = z.infer<typeof Me>;

/**
 * `POST /api/sync/ticket` (bearer session) → a ticket for one `GET /api/sync/ws?ticket=`.
 * Browsers cannot set headers on `new WebSocket()`, so the socket authenticates from its URL,
 * and a URL is logged (request traces, proxies, history): it carries this single-use ticket
 * that lives a minute, never the 90-day session token. The socket is bound to the session
 * that asked for the ticket and closes when that session ends (docs/architecture.md §5).
 */
export const SYNC_TICKET_TTL_MS = 60_000;
/** `swt_<user id>.<32 random bytes, base64url>`: the id says which user's object redeems it. */
export const SYNC_TICKET = /^swt_([1-9]\d{0,15})\.([\w-]{43})$/;

export const SyncTicket = z.object({
  ticket: z.string().regex(SYNC_TICKET),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type SyncTicket = z.infer<typeof SyncTicket>;

/** The socket's query: the ticket and nothing else (a session token in a URL is refused). */
export const SyncSocketQuery = z
  .object({ ticket: z.string().regex(SYNC_TICKET, "ticket must be one from POST /api/sync/ticket") })
  .strict();
