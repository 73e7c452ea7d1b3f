import { z } from "zod";
import { FullName } from "./repositories.ts";

/**
 * The tag vocabulary contract (docs/architecture.md §3 `/api/tags`, §2 "Tags"): a user's tags are their own
 * (custom) tags plus the AI tags of the analyses they read, as they read them — AI tags pass through the user's
 * aliases (renamed, merged, hidden) without the shared analyses changing. Shared by the Worker (routes, MCP tools),
 * its tests and the extension.
 *
 * A third kind of tag, a GitHub List shown as `list:Name`, is GitHub's: the operations here never write one.
 */

/** The prefix of a GitHub List shown as a tag: read-only here. */
export const LIST_TAG_PREFIX = "list:";

/** A tag as a person types it: trimmed, 1–50 characters (a custom tag's limit). */
export const TagName = z
  .string()
  .trim()
  .min(1, "a tag must not be empty")
  .max(50, "a tag is at most 50 characters")
  .refine((tag) => !tag.toLowerCase().startsWith(LIST_TAG_PREFIX), {
    message: "tags starting with list: are GitHub Lists, changed on GitHub, not here",
  });

export const TagSource = z.enum(["custom", "ai", "both"]);
export type TagSource = z.infer<typeof TagSource>;

/** One tag of the library as the user reads it. */
export const TagSummary = z.object({
  tag: z.string(),
  /** Repositories of the library carrying it (custom or AI), each once. */
  count: z.number().int().nonnegative(),
  /** Of those, carrying it as the user's own tag. */
  customCount: z.number().int().nonnegative(),
  /** Of those, carrying it from the AI analysis (through the user's aliases). */
  aiCount: z.number().int().nonnegative(),
  source: TagSource,
  /** The AI tags of the analyses that read as this tag (other spellings the user merged into it, or itself). */
  aiSpellings: z.array(z.string()),
});
export type TagSummary = z.infer<typeof TagSummary>;

/** `GET /api/tags`: every tag of the library, most used first, and the AI tags the user hid. */
export const TagList = z.object({
  tags: z.array(TagSummary),
  hidden: z.array(z.object({ tag: z.string(), count: z.number().int().nonnegative() })),
});
export type TagList = z.infer<typeof TagList>;

/** How many repositories one operation may change (a selection of thousands, in bounded D1 batches). */
export const TAG_SELECTION_MAX = 20_000;

/** The list's filters as a selection (`GET /api/repositories` without sort and pages). */
export const TagFilter = z
  .object({
    q: z.string().trim().max(200).optional(),
    tag: z.string().trim().min(1).max(100).optional(),
    language: z.string().trim().min(1).max(100).optional(),
    category: z.string().trim().min(1).max(100).optional(),
    starred: z.boolean().optional(),
    saved: z.boolean().optional(),
    /** In this GitHub List (by name), or in none (docs/architecture.md §4, "Lists"). */
    list: z.string().trim().min(1).max(100).optional(),
    unlisted: z.boolean().optional(),
  })
  .strict();
export type TagFilter = z.infer<typeof TagFilter>;

/** Which repositories a bulk tag changes: explicit names (a search result, a selection) or the list's filters. */
export const TagSelection = z.union([
  z.object({ fullNames: z.array(FullName).min(1, "name at least one repository").max(TAG_SELECTION_MAX) }).strict(),
  z.object({ filter: TagFilter }).strict(),
]);
export type TagSelection = z.infer<typeof TagSelection>;

const distinctTags = (max: number) =>
  z
    .array(TagName)
    .max(max)
    .transform((tags) => [...new Map(tags.map((tag) => [tag.toLowerCase(), tag])).values()]);

/**
 * `POST /api/tags/operations` (with an `Idempotency-Key` header: a retry answers with the first result).
 * - rename: one tag to another name, custom and AI alike (an AI tag through an alias).
 * - merge: several tags into one (which may be new or one of them).
 * - hide: an AI tag is no longer read (the user's own tag of that name stays).
 * - delete: the user's own tag leaves every repository (an AI tag of that name stays; hide it).
 * - tag: add and remove the user's own tags on a selection.
 */
export const TagOperationRequest = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rename"), from: TagName, to: TagName }).strict(),
  z
    .object({
      kind: z.literal("merge"),
      from: distinctTags(50).refine((tags) => tags.length >= 1, "merge at least one tag"),
      into: TagName,
    })
    .strict(),
  z.object({ kind: z.literal("hide"), tag: TagName }).strict(),
  z.object({ kind: z.literal("delete"), tag: TagName }).strict(),
  z
    .object({ kind: z.literal("tag"), selection: TagSelection, add: distinctTags(30), remove: distinctTags(30) })
    .strict()
    .refine((op) => op.add.length + op.remove.length > 0, "give tags to add or to remove"),
]);
export type TagOperationRequest = z.input<typeof TagOperationRequest>;
export type TagOperationSpec = z.output<typeof TagOperationRequest>;

/** A logged operation and what it did (and, once undone, that it was undone). */
export const TagOperation = z.object({
  id: z.number().int(),
  kind: z.enum(["rename", "merge", "hide", "delete", "tag"]),
  request: z.record(z.string(), z.unknown()),
  status: z.enum(["applying", "applied", "undone"]),
  /** Stars whose own tags it changed. */
  repositories: z.number().int().nonnegative(),
  /** AI spellings whose reading it changed. */
  aliases: z.number().int().nonnegative(),
  /** Stars whose search-index row was rewritten (own tags or AI reading changed). */
  indexed: z.number().int().nonnegative(),
  /** Stars changed by something else since, left as they are (undo restores only what this operation wrote). */
  skipped: z.number().int().nonnegative(),
  /** Names of a selection that are not in the library (the first 20) and how many. */
  notFound: z.object({ names: z.array(z.string()), count: z.number().int().nonnegative() }),
  createdAt: z.iso.datetime(),
  undoneAt: z.iso.datetime().nullable(),
});
export type TagOperation = z.infer<typeof TagOperation>;

export const TagOperationList = z.object({ operations: z.array(TagOperation) });
export type TagOperationList = z.infer<typeof TagOperationList>;

/** `Idempotency-Key`: 1–200 printable ASCII characters (a UUID is the usual choice). */
export const IdempotencyKey = z
  .string()
  .trim()
  .regex(/^[\x21-\x7e]{1,200}$/, "Idempotency-Key must be 1–200 printable ASCII characters");
export const IdempotencyHeaders = z.object({ "idempotency-key": IdempotencyKey.optional() });

export const OperationParams = z.object({ id: z.coerce.number().int().positive("not an operation id") });

/**
 * How the gardener found a proposal. Near-duplicates: `case` (React/react), `separator` (vue-router/vue_router),
 * `plural` (plugin/plugins), `js-suffix` (react.js/reactjs/react), `translation` (前端/frontend, from a small
 * built-in table), `edit-distance` (one letter apart, short tags), `co-occurrence` (nearly always together).
 * Clean-up: `used-once` (an own tag on one repository), `never-viewed` (an AI tag on few repositories the user
 * never filtered by).
 */
export const ProposalReason = z.enum([
  "case",
  "separator",
  "plural",
  "js-suffix",
  "translation",
  "edit-distance",
  "co-occurrence",
  "used-once",
  "never-viewed",
]);
export type ProposalReason = z.infer<typeof ProposalReason>;

/** A proposal: never applied by itself; accepting it is sending `operation` to `POST /api/tags/operations`. */
export const TagProposal = z.object({
  /** Stable across requests while the tags are the same: what a dismissal is kept under. */
  id: z.string(),
  reason: ProposalReason,
  tags: z.array(z.object({ tag: z.string(), count: z.number().int().nonnegative(), source: TagSource })),
  /** For co-occurrence: the share of the smaller tag's repositories that carry both (0–1). */
  overlap: z.number().min(0).max(1).nullable(),
  operation: z.union([
    z.object({ kind: z.literal("merge"), from: z.array(z.string()), into: z.string() }),
    z.object({ kind: z.literal("hide"), tag: z.string() }),
    z.object({ kind: z.literal("delete"), tag: z.string() }),
  ]),
});
export type TagProposal = z.infer<typeof TagProposal>;

export const TagProposalList = z.object({ proposals: z.array(TagProposal) });
export type TagProposalList = z.infer<typeof TagProposalList>;

export const ProposalParams = z.object({ id: z.string().regex(/^[a-z-]+:[0-9a-f]{16}$/, "not a proposal id") });
