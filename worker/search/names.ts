import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { analyses, repositories, stars } from "../db/schema";
import type { QueryTerm } from "../library/terms";
import type { NameHit } from "./fusion";

/**
 * The repositories a query names (docs/architecture.md §7): a person who types `ripgrep`,
 * `papa parse`, `burntsushi rip`, `lru cache` or `excali` means that repository, whatever
 * else shares its words. The query's words, run together without case or separators, must be:
 * - the start of the name (`papaparse` → PapaParse, `excali` → excalidraw, `typefest` → type-fest),
 * - the start of owner and name together (`burntsushirip` → BurntSushi/ripgrep, `tanstack` → TanStack/*),
 * - or inside the name from one of its parts on (`lrucache` → node-lru-cache, after a `-`, `_` or `.`).
 * The whole name (or owner and name) is an exact match, ranked before a part of one. Only Latin
 * words count (a name has no Chinese), and at least three letters of them: `ai` names nothing.
 * One statement over the user's stars (their names, no text), with the list's filters.
 */
export async function nameMatches(
  db: Db,
  userId: number,
  terms: readonly QueryTerm[],
  filters: SQL[],
  limit: number,
): Promise<NameHit[]> {
  const spelled = spelledName(terms);
  if (spelled === null) return [];
  const name = squash(sql`${repositories.name}`);
  const ownerName = squash(sql`${repositories.ownerLogin} || ${repositories.name}`);
  const lowerName = sql`lower(${repositories.name})`;
  const exact = sql<number>`(${name} = ${spelled.joined} or ${ownerName} = ${spelled.joined})`;
  const rows = await db
    .select({ id: repositories.id, exact })
    .from(stars)
    .innerJoin(repositories, eq(repositories.id, stars.repositoryId))
    .leftJoin(analyses, eq(analyses.id, stars.analysisId))
    .where(
      and(
        eq(stars.userId, userId),
        sql`(${name} like ${`${spelled.joined}%`} or ${ownerName} like ${`${spelled.joined}%`}
          or (${name} like ${`%${spelled.joined}%`}
            and (${lowerName} like ${`%-${spelled.first}%`} or ${lowerName} like ${`%.${spelled.first}%`}
              or ${lowerName} like ${`%\\_${spelled.first}%`} escape '\\')))`,
        ...filters,
      ),
    )
    .orderBy(sql`${exact} desc`, sql`length(${repositories.name})`, repositories.id)
    .limit(limit);
  return rows.map((row) => ({ id: row.id, exact: Boolean(row.exact) }));
}

/** Lower case without `-`, `_`, `.` and spaces: how a name is spelled when typed as words. */
const squash = (value: SQL) =>
  sql`replace(replace(replace(replace(lower(${value}), '-', ''), '_', ''), '.', ''), ' ', '')`;

/**
 * The name a query spells, or null: its Latin words lower-cased with everything but letters and
 * digits taken out (so nothing in it is a LIKE wildcard), run together, and the first alone.
 */
export function spelledName(terms: readonly QueryTerm[]): { joined: string; first: string } | null {
  if (terms.length === 0 || terms.some((term) => term.kind === "cjk")) return null;
  const words = terms.map((term) => term.text.toLowerCase().replace(/[^a-z0-9]/g, "")).filter((word) => word !== "");
  const joined = words.join("");
  if (joined.length < 3) return null;
  return { joined, first: words[0]! };
}
