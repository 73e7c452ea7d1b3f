import { z } from "zod";
import { FullName } from "./repositories.ts";

/**
 * The GitHub Lists contract (docs/architecture.md §3, §4 "Lists"): the user's star Lists as GitHub last answered
 * them, whether Starwise may write them, and the writes. Shared by the Worker, its tests, the MCP tools and the
 * extension's new tab.
 */

const isoTime = z.iso.datetime({ offset: true });

/** GitHub is reported to limit a List's name to 32 characters and its description to 160 (not in its docs). */
export const LIST_NAME_MAX = 32;
export const LIST_DESCRIPTION_MAX = 160;

/** Whether a name is short enough for a List: at most LIST_NAME_MAX characters (code points, not UTF-16 units). */
export const fitsListName = (name: string) => [...name.trim()].length <= LIST_NAME_MAX;

export const ListName = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine(fitsListName, `must be at most ${LIST_NAME_MAX} characters`);
const TagName = z.string().trim().min(1, "must not be empty").max(100);

export const GithubList = z.object({
  /** GitHub's node id: stays when the List is renamed. */
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  isPrivate: z.boolean(),
  /** GitHub's count, repositories outside the library included. */
  itemCount: z.number().int().nonnegative(),
  /** Of them, in the library (starred or saved). */
  inLibrary: z.number().int().nonnegative(),
  /** The user's tag this List is pushed from and pulled into; null = only read. */
  linkedTag: z.string().nullable(),
  /** `https://github.com/stars/<login>/lists/<slug>`. */
  url: z.string(),
});
export type GithubList = z.infer<typeof GithubList>;

/**
 * Whether Starwise may write the user's Lists: GitHub needs a classic token with the `user` scope, read from the
 * `X-OAuth-Scopes` GitHub sends. `missing-scope`: a classic token without it; `fine-grained`: a token that sends no
 * scopes (fine-grained tokens have no permission for Lists); `unknown`: never asked yet (before the first sync).
 */
export const ListWriteAccess = z.discriminatedUnion("canWrite", [
  z.object({ canWrite: z.literal(true), scopes: z.string() }),
  z.object({
    canWrite: z.literal(false),
    reason: z.enum(["missing-scope", "fine-grained", "unknown"]),
    scopes: z.string().nullable(),
  }),
]);
export type ListWriteAccess = z.infer<typeof ListWriteAccess>;

/** `GET /api/lists`. */
export const ListsResponse = z.object({
  lists: z.array(GithubList),
  /** Stars of the library in none of the Lists. */
  notInAnyList: z.number().int().nonnegative(),
  write: ListWriteAccess,
  /** When the Lists were last read (each sync), and why the last read failed, if it did; null = never read. */
  readAt: isoTime.nullable(),
  error: z.string().nullable(),
});
export type ListsResponse = z.infer<typeof ListsResponse>;

/** `POST /api/lists`: a new List on GitHub from one of the user's tags, linked to it (pushed and pulled each sync). */
export const CreateListBody = z
  .object({
    tag: TagName,
    /** The List's name; the tag's by default. */
    name: ListName.optional(),
    description: z.string().trim().max(LIST_DESCRIPTION_MAX).nullable().optional(),
    isPrivate: z.boolean().optional(),
  })
  .strict();
export type CreateListBody = z.input<typeof CreateListBody>;

/** `PATCH /api/lists/:id`: rename or describe the List on GitHub; link it to a tag, or unlink it (`null`). */
export const UpdateListBody = z
  .object({
    name: ListName.optional(),
    description: z.string().trim().max(LIST_DESCRIPTION_MAX).nullable().optional(),
    linkedTag: TagName.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, "nothing to change");
export type UpdateListBody = z.input<typeof UpdateListBody>;

/** `POST /api/lists/:id/items`: repositories to add to the List on GitHub, and to take out of it. */
export const ListItemsBody = z
  .object({
    add: z.array(FullName).max(100).optional(),
    remove: z.array(FullName).max(100).optional(),
  })
  .strict()
  .refine((body) => (body.add?.length ?? 0) + (body.remove?.length ?? 0) > 0, "nothing to add or remove");
export type ListItemsBody = z.input<typeof ListItemsBody>;

export const ListItemsResponse = z.object({
  /** Repositories whose membership GitHub now has as asked (one `updateUserListsForItem` each, or none needed). */
  changed: z.array(z.string()),
  /** Already as asked on GitHub: nothing sent. */
  unchanged: z.array(z.string()),
  /** Not in the library, or GitHub could not resolve them: nothing sent or nothing changed. */
  skipped: z.array(z.string()),
  list: GithubList,
});
export type ListItemsResponse = z.infer<typeof ListItemsResponse>;

/**
 * The search's List operators, taken out of the words: `list:Name`, `list:"Two words"`, and `no:list` (in no List).
 * What remains is the query.
 */
export function splitListOperators(q: string): { rest: string; list?: string; unlisted?: true } {
  let list: string | undefined;
  let unlisted: true | undefined;
  const rest = q
    .replace(/(^|\s)list:(?:"([^"]+)"|(\S+))/giu, (_, space: string, quoted?: string, bare?: string) => {
      list = (quoted ?? bare ?? "").trim() || list;
      return space;
    })
    .replace(/(^|\s)no:list(?=\s|$)/giu, (_, space: string) => {
      unlisted = true;
      return space;
    })
    .replace(/\s+/g, " ")
    .trim();
  return { rest, ...(list ? { list } : {}), ...(unlisted ? { unlisted } : {}) };
}
