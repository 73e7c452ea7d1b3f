import { sql } from "drizzle-orm";
import { FEED_ENTRIES_MAX, FEED_WINDOW_DAYS } from "../../shared/feed";
import type { Db } from "../db/client";
import { repositories, stars } from "../db/schema";
import { xmlElement, xmlText } from "../lib/xml";

// The digest as an Atom 1.0 feed (RFC 4287; docs/architecture.md §3, "The feed"): releases, archived and gone
// repositories among a user's stars over the last FEED_WINDOW_DAYS days, from the same facts and conditions as
// the digest (worker/library/digest.ts) — starred, and for releases and archives not gone. One statement over
// the user's own `stars` rows, as the digest's. What it leaves out and why: shared/feed.ts.
//
// Entry ids are made of GitHub's facts only — the repository's GitHub id (a rename keeps it) and the event's own
// key (the release's tag, the time it was archived or found gone) — so every fetch and every sync gives the same
// entry the same id, and a reader shows it once.

const DAY = 86_400_000;

export type FeedKind = "release" | "archived" | "gone";

export type FeedEntry = {
  kind: FeedKind;
  /** The part of the entry's id after the feed's authority: `release/<github id>/<tag>`. */
  key: string;
  fullName: string;
  url: string;
  description: string | null;
  at: Date;
  release: { tag: string; name: string | null } | null;
  goneReason: "deleted" | "blocked" | "private-or-deleted" | null;
};

type Row = Record<
  | "githubId"
  | "fullName"
  | "htmlUrl"
  | "description"
  | "releaseTag"
  | "releaseName"
  | "releaseAt"
  | "archived"
  | "archivedAt"
  | "goneReason"
  | "goneAt",
  unknown
>;

/** The feed's entries for one user, newest first. */
export async function feedEntries(
  db: Db,
  userId: number,
  options: { includePrivate: boolean; now?: Date },
): Promise<FeedEntry[]> {
  const now = options.now ?? new Date();
  const since = now.getTime() - FEED_WINDOW_DAYS * DAY;
  const present = sql`${stars.goneReason} is null`;
  const released = sql`${present} and ${repositories.latestReleaseTag} is not null
    and ${repositories.latestReleaseAt} >= ${since}`;
  const archived = sql`${present} and ${repositories.archived} = 1 and ${repositories.archivedAt} >= ${since}`;
  const gone = sql`${stars.goneReason} is not null and ${stars.goneAt} >= ${since}`;
  const newest = sql`max(case when ${released} then ${repositories.latestReleaseAt} else 0 end,
    case when ${archived} then ${repositories.archivedAt} else 0 end,
    case when ${gone} then ${stars.goneAt} else 0 end)`;
  const rows = await db.all<Row>(sql`
    select ${repositories.githubId} as githubId, ${repositories.fullName} as fullName,
           ${repositories.htmlUrl} as htmlUrl, ${repositories.description} as description,
           case when ${released} then ${repositories.latestReleaseTag} end as releaseTag,
           ${repositories.latestReleaseName} as releaseName, ${repositories.latestReleaseAt} as releaseAt,
           case when ${archived} then 1 else 0 end as archived, ${repositories.archivedAt} as archivedAt,
           case when ${gone} then ${stars.goneReason} end as goneReason, ${stars.goneAt} as goneAt
    from ${stars}
    join ${repositories} on ${repositories.id} = ${stars.repositoryId}
    where ${stars.userId} = ${userId} and ${stars.isStarred} = 1
      and (${options.includePrivate ? sql`1` : sql`${repositories.isPrivate} = 0`})
      and ((${released}) or (${archived}) or (${gone}))
    order by ${newest} desc, ${repositories.githubId} desc
    limit ${FEED_ENTRIES_MAX}`);
  // A row can be two entries (released, then archived): at most FEED_ENTRIES_MAX rows hold the newest entries.
  return rows
    .flatMap(toEntries)
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.key < b.key ? -1 : 1))
    .slice(0, FEED_ENTRIES_MAX);
}

const text = (value: unknown) => (typeof value === "string" ? value : null);

function toEntries(row: Row): FeedEntry[] {
  const fullName = String(row.fullName);
  const id = String(row.githubId);
  const base = { fullName, url: repositoryUrl(row.htmlUrl, fullName), description: text(row.description) };
  const entries: FeedEntry[] = [];
  const tag = text(row.releaseTag);
  if (tag !== null && typeof row.releaseAt === "number") {
    entries.push({
      ...base,
      kind: "release",
      key: `release/${id}/${encodeURIComponent(tag)}`,
      url: `${base.url}/releases/tag/${encodeURIComponent(tag)}`,
      at: new Date(row.releaseAt),
      release: { tag, name: text(row.releaseName) },
      goneReason: null,
    });
  }
  if (row.archived === 1 && typeof row.archivedAt === "number") {
    const at = new Date(row.archivedAt);
    entries.push({
      ...base,
      kind: "archived",
      key: `archived/${id}/${at.getTime()}`,
      at,
      release: null,
      goneReason: null,
    });
  }
  const goneReason = text(row.goneReason);
  if (
    (goneReason === "deleted" || goneReason === "blocked" || goneReason === "private-or-deleted") &&
    typeof row.goneAt === "number"
  ) {
    const at = new Date(row.goneAt);
    entries.push({ ...base, kind: "gone", key: `gone/${id}/${at.getTime()}`, at, release: null, goneReason });
  }
  return entries;
}

/** GitHub's page for the repository: its `html_url` when that is an https URL, else github.com's. */
function repositoryUrl(htmlUrl: unknown, fullName: string): string {
  if (typeof htmlUrl === "string" && URL.canParse(htmlUrl) && /^https?:$/.test(new URL(htmlUrl).protocol)) {
    return htmlUrl.replace(/\/+$/, "");
  }
  return `https://github.com/${fullName}`;
}

// ---------------------------------------------------------------------------------------------
// Atom.

type Language = "en" | "zh";

const WORDS = {
  en: {
    title: (login: string) => `What changed in ${login}'s GitHub stars`,
    subtitle:
      `Releases, archived and gone repositories among your stars over the last ${FEED_WINDOW_DAYS} days, ` +
      "from Starwise.",
    release: (name: string, tag: string, title: string | null) =>
      `${name} released ${tag}${title && title !== tag ? `: ${title}` : ""}`,
    archived: (name: string) => `${name} was archived`,
    gone: {
      deleted: (name: string) => `${name} was deleted`,
      blocked: (name: string) => `${name} was blocked by GitHub`,
      "private-or-deleted": (name: string) => `${name} was deleted or made private`,
    },
    archivedSummary: "Read-only now: it takes no issues, pull requests or pushes.",
    goneSummary: {
      deleted: "Its owner deleted it. Your star, notes and tags are kept in Starwise.",
      blocked: "GitHub blocked access to it (its terms, or a takedown notice). Your star, notes and tags are kept.",
      "private-or-deleted":
        "GitHub no longer shows it: deleted or made private (GitHub does not say which). " +
        "Your star, notes and tags are kept.",
    },
  },
  zh: {
    title: (login: string) => `${login} 的 GitHub 星标有哪些变化`,
    subtitle: `Starwise：过去 ${FEED_WINDOW_DAYS} 天里，你的星标仓库的新版本、归档与消失。`,
    release: (name: string, tag: string, title: string | null) =>
      `${name} 发布了 ${tag}${title && title !== tag ? `：${title}` : ""}`,
    archived: (name: string) => `${name} 已归档`,
    gone: {
      deleted: (name: string) => `${name} 已被删除`,
      blocked: (name: string) => `${name} 已被 GitHub 封禁`,
      "private-or-deleted": (name: string) => `${name} 已被删除或设为私有`,
    },
    archivedSummary: "现为只读：不再接受议题、拉取请求或推送。",
    goneSummary: {
      deleted: "所有者删除了它。你的星标、笔记和标签仍保存在 Starwise 中。",
      blocked: "GitHub 封禁了对它的访问（违反条款或收到下架通知）。你的星标、笔记和标签仍然保留。",
      "private-or-deleted":
        "GitHub 不再显示它：已删除或设为私有（GitHub 不说是哪一种）。你的星标、笔记和标签仍然保留。",
    },
  },
} as const;

export type AtomFeed = {
  /** The feed's own URL (`rel="self"`). */
  selfUrl: string;
  /** The feed's id: stable for as long as the feed exists. */
  id: string;
  /** The tag URI authority of entry ids (the Worker's host name). */
  authority: string;
  login: string;
  language: Language;
  /** When the feed was made: its `updated` while it has no entry. */
  createdAt: Date;
  entries: FeedEntry[];
};

/** The feed as an Atom 1.0 document. Every value is written through `xmlText`: text, never markup. */
export function renderAtom(feed: AtomFeed): string {
  const words = WORDS[feed.language];
  const updated = feed.entries[0]?.at ?? feed.createdAt;
  const entries = feed.entries.map((entry) => {
    const title =
      entry.kind === "release" && entry.release
        ? words.release(entry.fullName, entry.release.tag, entry.release.name)
        : entry.kind === "gone" && entry.goneReason
          ? words.gone[entry.goneReason](entry.fullName)
          : words.archived(entry.fullName);
    const note =
      entry.kind === "gone" && entry.goneReason
        ? words.goneSummary[entry.goneReason]
        : entry.kind === "archived"
          ? words.archivedSummary
          : null;
    const summary = [entry.description, note].filter(Boolean).join("\n\n");
    return [
      "  <entry>",
      `    ${xmlElement("id", `tag:${feed.authority},2026:${entry.key}`)}`,
      `    ${xmlElement("title", title, { type: "text" })}`,
      `    ${xmlElement("updated", entry.at.toISOString())}`,
      ...(entry.kind === "release" ? [`    ${xmlElement("published", entry.at.toISOString())}`] : []),
      `    <link rel="alternate" type="text/html" href="${xmlText(entry.url)}"/>`,
      `    <category term="${xmlText(entry.kind)}"/>`,
      ...(summary ? [`    ${xmlElement("summary", summary, { type: "text" })}`] : []),
      "  </entry>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${feed.language === "zh" ? "zh-CN" : "en"}">`,
    `  ${xmlElement("id", feed.id)}`,
    `  ${xmlElement("title", words.title(feed.login), { type: "text" })}`,
    `  ${xmlElement("subtitle", words.subtitle, { type: "text" })}`,
    `  ${xmlElement("updated", updated.toISOString())}`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(feed.selfUrl)}"/>`,
    `  <author>${xmlElement("name", "Starwise")}</author>`,
    `  ${xmlElement("generator", "Starwise")}`,
    ...entries,
    "</feed>",
    "",
  ].join("\n");
}
