import { z } from "zod";
import { ErrorBody } from "./errors.ts";

/**
 * Unstar in bulk, reversibly (docs/architecture.md §3 `/api/unstar`, §4 "Unstar in bulk"): the Worker unstars the
 * chosen stars on GitHub (`DELETE /user/starred/{owner}/{repo}`), one run at a time per user under the sync's lock,
 * and an undo stars them again (`PUT`). Notes and tags stay. Shared by the Worker (routes, the MCP tool
 * `unstar_stars`), its tests and the extension.
 *
 * What GitHub cannot restore: the date of the star. A re-star is a new star with today's `starred_at` on GitHub (its
 * star list and its "starred" tab sort by it); Starwise keeps the date it recorded first and sorts by that.
 */

/** Repositories one run takes at most: GitHub allows about 500 content-changing requests an hour. */
export const UNSTAR_MAX = 1000;

const fullName = z
  .string()
  .regex(/^[\w.-]+\/[\w.-]+$/, "a repository is named owner/name")
  .max(200);

/**
 * Which stars: by name, or by a filter over the user's starred repositories (every condition given must hold), e.g.
 * `{archived: true, quietYears: 3}` — archived and without a commit on the default branch for three years. A filter
 * of the digest's groups: `archived`, `gone`, `quietYears`.
 */
export const UnstarSelection = z
  .object({
    names: z.array(fullName).min(1).max(UNSTAR_MAX).optional(),
    filter: z
      .object({
        /** Archived on GitHub. */
        archived: z.literal(true).optional(),
        /** Gone from GitHub (deleted, blocked, made private): GitHub's own page cannot unstar those. */
        gone: z.literal(true).optional(),
        /** No commit on the default branch for this many years (an unknown last commit is left out). */
        quietYears: z.number().min(0.25).max(50).optional(),
      })
      .strict()
      .refine((f) => Object.keys(f).length > 0, "a filter needs at least one condition")
      .optional(),
  })
  .strict()
  .refine((s) => (s.names === undefined) !== (s.filter === undefined), "give either names or a filter, not both");
export type UnstarSelection = z.infer<typeof UnstarSelection>;

/** `POST /api/unstar`: the selection, started at once (the extension asks after its own confirmation). */
export const UnstarRequest = z.object({ selection: UnstarSelection }).strict();
export type UnstarRequest = z.infer<typeof UnstarRequest>;

/**
 * Whether the account's token may star and unstar, and how Starwise knows:
 * - `allowed`: a classic token with `public_repo` or `repo` (`X-OAuth-Scopes` at sign-in). `public_repo` does not
 *   reach private repositories (`privateRepositories: false`).
 * - `missing`: a classic token without either scope. Nothing is asked of GitHub: a new token is needed.
 * - `unknown`: a fine-grained token. GitHub does not announce its permissions in a header; the first `DELETE` says
 *   (403 "Resource not accessible by personal access token" without "Starring: write").
 * - `refused`: GitHub refused a star change with this token (at `refusedAt`). The permission can be granted to the
 *   same token on GitHub, so trying again is allowed.
 */
export const StarWrite = z.object({
  state: z.enum(["allowed", "missing", "unknown", "refused"]),
  token: z.enum(["classic", "fine-grained"]).nullable(),
  /** The classic token's scopes as GitHub listed them; null for a fine-grained token or before they were recorded. */
  scopes: z.string().nullable(),
  privateRepositories: z.boolean(),
  refusedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type StarWrite = z.infer<typeof StarWrite>;

const isoTime = z.iso.datetime({ offset: true });

export const UnstarItemState = z.enum(["pending", "done", "missing", "failed"]);

/** One repository of a run: its name, and what GitHub answered (untrusted text: render as text). */
export const UnstarRunItem = z.object({
  fullName: z.string(),
  /** pending (not asked yet), done, missing (GitHub has no such repository by this name), failed (see `code`). */
  state: UnstarItemState,
  code: z.string().nullable(),
});
export type UnstarRunItem = z.infer<typeof UnstarRunItem>;

/** A run as the clients show it. `undoneBy`: the re-star run that undid it; `undoable`: an undo may start now. */
export const UnstarRun = z.object({
  id: z.string(),
  action: z.enum(["unstar", "restar"]),
  undoes: z.string().nullable(),
  status: z.enum(["running", "done", "stopped"]),
  total: z.number().int(),
  counts: z.object({
    pending: z.number().int(),
    done: z.number().int(),
    missing: z.number().int(),
    failed: z.number().int(),
  }),
  createdAt: isoTime,
  finishedAt: isoTime.nullable(),
  error: ErrorBody.shape.error.nullable(),
  undoneBy: z.string().nullable(),
  undoable: z.boolean(),
  /** The first UNSTAR_RUN_ITEMS_SHOWN repositories, in the order they are asked. */
  items: z.array(UnstarRunItem),
});
export type UnstarRun = z.infer<typeof UnstarRun>;
export const UNSTAR_RUN_ITEMS_SHOWN = 50;

/** `GET /api/unstar`: whether the token may write, and the latest runs (newest first). */
export const UnstarState = z.object({ starWrite: StarWrite, runs: z.array(UnstarRun) });
export type UnstarState = z.infer<typeof UnstarState>;

/**
 * `POST /api/unstar/preview`: what a selection would do, asking GitHub nothing. `notInLibrary`: names not among the
 * user's starred repositories (never sent to GitHub). `privateRefused`: private repositories the token's scope does
 * not reach (`public_repo`).
 */
export const UnstarPreview = z.object({
  starWrite: StarWrite,
  total: z.number().int(),
  items: z.array(
    z.object({
      fullName: z.string(),
      isPrivate: z.boolean(),
      archived: z.boolean(),
      gone: z.boolean(),
      hasNotes: z.boolean(),
      tags: z.array(z.string()),
    }),
  ),
  notInLibrary: z.array(z.string()),
  privateRefused: z.array(z.string()),
});
export type UnstarPreview = z.infer<typeof UnstarPreview>;

/** `POST /api/unstar`, `/undo`, `/resume`: 202 with the run. */
export const UnstarStarted = z.object({ run: UnstarRun });
export type UnstarStarted = z.infer<typeof UnstarStarted>;
