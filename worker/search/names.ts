import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import type { QueryTerm } from "../library/terms";
import type { NameHit } from "./fusion";

/**
 * The repositories a query names (docs/architecture.md §7): a person who types `ripgrep`,
 * `papa parse`, `burntsushi rip`, `lru cache` or `excali` means that repository, whatever
 * else shares its words. Asked of the name and full-name columns of the FTS indexes (public and
 * private): the query's words as a phrase, the last a prefix (`lru cache` → node-lru-cache,
 * `burntsushi rip` → BurntSushi/ripgrep, `react three` → react-three-fiber), or run together as
 * one word's prefix (`papa parse` → PapaParse, `dom purify` → DOMPurify, `excali` → excalidraw).
 * The whole name, or owner and name, spelled exactly is an exact match, ranked before a part of
 * one. Only Latin words count (a name has no Chinese), and at least three letters of them: `ai`
 * names nothing. One statement, the list's filters applied.
 */
export async function nameMatches(
  db: Db,
  userId: number,
  terms: readonly QueryTerm[],
  filters: SQL[],
  limit: number,
): Promise<NameHit[]> {
  const query = nameMatchQuery(db, userId, terms, filters, limit);
  return query ? nameHits(await query) : [];
}

/** The rows of `nameMatchQuery` as hits. */
export const nameHits = (rows: ReadonlyArray<{ id: number; exact: number }>): NameHit[] =>
  rows.map((row) => ({ id: Number(row.id), exact: Boolean(row.exact) }));

/** `nameMatches`' statement, not yet run (the keyword ranking sends it in its first batch); null: no name. */
export function nameMatchQuery(db: Db, userId: number, terms: readonly QueryTerm[], filters: SQL[], limit: number) {
  const spelled = spelledName(terms);
  if (spelled === null) return null;
  const expression =
    `{name full_name} : ("${spelled.words.join(" ")}"*` +
    (spelled.words.length > 1 ? ` OR "${spelled.joined}"*)` : ")");
  const exact = sql<number>`(${squash(sql`${repositories.name}`)} = ${spelled.joined}
    or ${squash(sql`${repositories.ownerLogin} || ${repositories.name}`)} = ${spelled.joined})`;
  return db
    .select({ id: sql<number>`m.id`, exact })
    .from(sql`(
      select rowid as id from repositories_fts where repositories_fts match ${expression}
      union
      select rowid from private_repositories_fts where private_repositories_fts match ${expression}
    ) as m cross join ${stars} cross join ${repositories}
      left join ${analyses} on ${analyses.id} = ${stars.analysisId}`)
    .where(
      and(
        eq(stars.userId, userId),
        sql`${stars.repositoryId} = m.id`,
        eq(repositories.id, stars.repositoryId),
        ...filters,
      ),
    )
    .orderBy(sql`${exact} desc`, sql`length(${repositories.name})`, sql`m.id`)
    .limit(limit);
}

/** Lower case without `-`, `_`, `.` and spaces: how a name is spelled when typed as words. */
const squash = (value: SQL) =>
  sql`replace(replace(replace(replace(lower(${value}), '-', ''), '_', ''), '.', ''), ' ', '')`;

/**
 * The name a query spells, or null: its Latin words lower-cased with everything but letters and
 * digits taken out (so nothing in them is FTS syntax), and run together.
 */
export function spelledName(terms: readonly QueryTerm[]): { words: string[]; joined: string } | null {
  if (terms.length === 0 || terms.some((term) => term.kind === "cjk")) return null;
  const words = terms.map((term) => term.text.toLowerCase().replace(/[^a-z0-9]/g, "")).filter((word) => word !== "");
  const joined = words.join("");
  if (joined.length < 3) return null;
  return { words, joined };
}
