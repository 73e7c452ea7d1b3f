import { Hono } from "hono";
import { ExportQuery, RepositoryItem } from "../../shared/repositories";
import type { Db } from "../db/client";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { validate } from "../lib/validator";
import { markdownEntry, renderMarkdown } from "../library/markdown";
import { afterCursor, cursorOf, selectLibrary, sortOrder, toRepositoryItem, type LibraryRow } from "../library/query";

/** Rows per D1 query: a 50,000-star library streams in 100 small reads, never held whole. */
const CHUNK = 500;

/**
 * `GET /api/export`: every repository the user has a row for (starred, saved, and unstarred
 * ones kept for their notes — it is their backup), newest first, README text excluded.
 */
export const exportRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .get("/", validate("query", ExportQuery), async (c) => {
    const format = c.req.valid("query").format ?? "json";
    const { db } = c.var.services;
    const { id: userId, login } = c.var.user;
    const exportedAt = new Date();
    // The first chunk is read before answering, so a failing database is a proper error
    // response rather than a 200 with a truncated body.
    const first = await readChunk(db, userId, null);
    const pages = libraryPages(db, userId, first);
    const header = { exportedAt: exportedAt.toISOString(), login };
    const text =
      format === "csv"
        ? csvChunks(pages)
        : format === "markdown"
          ? markdownChunks(pages, header)
          : jsonChunks(pages, header);

    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await text.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (error) {
          // Headers are gone already: abort the body so the client sees a failed download.
          console.error(`export for user ${userId} failed mid-stream:`, error);
          controller.error(error);
        }
      },
      async cancel() {
        await text.return(undefined);
      },
    });
    const filename =
      `starwise-${login.replace(/[^A-Za-z0-9_-]/g, "_")}-` +
      `${exportedAt.toISOString().slice(0, 10)}.${EXTENSIONS[format]}`;
    return c.body(body, 200, {
      "Content-Type": CONTENT_TYPES[format],
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    });
  });

const EXTENSIONS = { json: "json", csv: "csv", markdown: "md" } as const;
const CONTENT_TYPES = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
} as const;

function readChunk(db: Db, userId: number, after: LibraryRow | null) {
  return selectLibrary(
    db,
    userId,
    after ? [afterCursor(cursorOf("starred_at", after))] : [],
    sortOrder.starred_at,
    CHUNK,
  );
}

/** Keyset pagination (the list's starred_at order), so rows added meanwhile cannot shift pages. */
async function* libraryPages(db: Db, userId: number, first: LibraryRow[]): AsyncGenerator<RepositoryItem[]> {
  let rows = first;
  while (rows.length > 0) {
    yield rows.map(toRepositoryItem);
    const last = rows.at(-1);
    if (rows.length < CHUNK || !last) return;
    rows = await readChunk(db, userId, last);
  }
}

async function* jsonChunks(
  pages: AsyncIterable<RepositoryItem[]>,
  header: { exportedAt: string; login: string },
): AsyncGenerator<string> {
  yield `{"exportedAt":${JSON.stringify(header.exportedAt)},` +
    `"user":{"login":${JSON.stringify(header.login)}},"repositories":[`;
  let first = true;
  for await (const items of pages) {
    yield (first ? "" : ",") + items.map((item) => JSON.stringify(item)).join(",");
    first = false;
  }
  yield "]}\n";
}

/**
 * An awesome-list of what is in the library (starred or saved; rows kept only for their notes
 * are left out). Sections need every row, so the few fields a line shows are gathered first
 * (about 200 bytes a repository) and the text is written once at the end.
 */
async function* markdownChunks(
  pages: AsyncIterable<RepositoryItem[]>,
  header: { exportedAt: string; login: string },
): AsyncGenerator<string> {
  const entries = [];
  for await (const items of pages) {
    for (const item of items) if (item.isStarred || item.isSaved) entries.push(markdownEntry(item));
  }
  yield renderMarkdown(entries, header);
}

/** The CSV columns are the contract's fields, in its order: the two formats cannot drift apart. */
const columns = Object.keys(RepositoryItem.shape).filter(
  (key): key is keyof RepositoryItem => key in RepositoryItem.shape,
);

async function* csvChunks(pages: AsyncIterable<RepositoryItem[]>): AsyncGenerator<string> {
  yield csvRow(columns);
  for await (const items of pages) {
    yield items.map((item) => csvRow(columns.map((column) => cellOf(item, column)))).join("");
  }
}

/**
 * A field as one cell: GitHub refusing the repository is its state and GitHub's words; its health the facts that
 * hold, e.g. "archived; release v2.1.0 2026-10-01; last commit 2024-03-02" or "gone: deleted".
 */
function cellOf(item: RepositoryItem, column: keyof RepositoryItem): Cell {
  if (column === "access") return item.access ? `${item.access.state}: ${item.access.message}` : null;
  if (column === "health") return healthCell(item.health);
  return item[column] as Exclude<RepositoryItem[keyof RepositoryItem], RepositoryItem["access" | "health"]>;
}

function healthCell(health: RepositoryItem["health"]): string | null {
  const day = (iso: string | null) => (iso ? ` ${iso.slice(0, 10)}` : "");
  const release = health.latestRelease;
  const parts = [
    health.gone ? `gone: ${health.gone.reason}` : null,
    health.archived ? "archived" : null,
    health.disabled ? "disabled" : null,
    release ? `release ${release.tag}${day(release.publishedAt)}` : null,
    health.lastCommitAt ? `last commit${day(health.lastCommitAt)}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join("; ") : null;
}

type Cell = string | number | boolean | null | readonly string[];

/** One RFC 4180 record, CRLF-terminated. */
export function csvRow(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = typeof value === "string" ? value : value.join("; ");
  // CSV formula injection (OWASP): a spreadsheet runs a cell starting with one of these as a
  // formula, so text from GitHub, the AI or the user is defused with a leading apostrophe.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
