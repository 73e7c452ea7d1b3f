import { INDEX_SUMMARY_MAX, INDEX_TAGS_MAX, type LibraryIndex, type LibraryIndexItem } from "../../shared/repositories";
import type { Db } from "../db/client";
import { afterCursor, cursorOf, inLibrary, selectLibrary, sortOrder, strings, type LibraryRow } from "./query";

// The library as a compact index (`GET /api/repositories/index`): per repository its name, one line of
// summary and a few tags — what the extension's address-bar suggestions match locally, so a keystroke
// never waits on the network (docs/architecture.md §3). About 200 bytes a repository: 30,000 stars are
// ~6 MB of JSON, which the extension asks for after a sync, not per keystroke.

/** Rows per D1 query, as the export reads them. */
const CHUNK = 500;

/** Text cut to one line of at most `max` characters, at a word when one ends near the cut. */
export function oneLine(text: string | null, max = INDEX_SUMMARY_MAX): string | null {
  if (!text) return null;
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return null;
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  // A surrogate pair is never split: the cut backs off one unit when it would end on a high surrogate.
  const end = space > max * 0.6 ? space : /[\uD800-\uDBFF]$/.test(cut) ? cut.length - 1 : cut.length;
  return `${cut.slice(0, end).trimEnd()}…`;
}

export function toIndexItem(row: LibraryRow): LibraryIndexItem {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const tag of [...strings(row.customTags), ...strings(row.aiTags)]) {
    const key = tag.toLowerCase();
    if (seen.has(key) || tags.length >= INDEX_TAGS_MAX) continue;
    seen.add(key);
    tags.push(tag);
  }
  return {
    fullName: row.fullName,
    // The first that says something: a blank description or summary is no summary.
    summary: oneLine(row.customDescription) ?? oneLine(row.aiSummary) ?? oneLine(row.description),
    tags,
    starred: row.isStarred,
  };
}

/** Every repository in the user's library, newest first, read by keyset pages (rows added meanwhile shift none). */
export async function libraryIndex(db: Db, userId: number, now = new Date()): Promise<LibraryIndex> {
  const items: LibraryIndexItem[] = [];
  let after: LibraryRow | null = null;
  for (;;) {
    const conditions = after ? [inLibrary, afterCursor(cursorOf("starred_at", after))] : [inLibrary];
    const rows = await selectLibrary(db, userId, conditions, sortOrder.starred_at, CHUNK);
    for (const row of rows) items.push(toIndexItem(row));
    after = rows.at(-1) ?? null;
    if (rows.length < CHUNK || !after) break;
  }
  return { generatedAt: now.toISOString(), items };
}
