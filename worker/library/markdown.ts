import type { RepositoryItem } from "../../shared/repositories";

/**
 * The library as an awesome-list (`GET /api/export?format=markdown`): a section per category
 * — the user's category, else the first of their tags, the AI tags, the topics — sorted by
 * name with "Other" last, each repository a link with what the user or the AI says it is.
 *
 * Every text here is untrusted (names, descriptions, AI output, the user's notes) and a
 * Markdown viewer renders HTML and links: text is escaped so it stays text, links are only
 * GitHub's https URLs.
 */
export type MarkdownEntry = {
  group: string;
  fullName: string;
  url: string | null;
  text: string;
  stars: number;
  archived: boolean;
};

const OTHER = "Other";

export function markdownEntry(item: RepositoryItem): MarkdownEntry {
  const group = item.customCategory ?? item.customTags[0] ?? item.aiTags[0] ?? item.topics[0] ?? OTHER;
  return {
    group: oneLine(group) || OTHER,
    fullName: item.fullName,
    url: /^https:\/\/github\.com\/[^\s()<>]+$/.test(item.htmlUrl) ? item.htmlUrl : null,
    text: oneLine(item.customDescription ?? item.aiSummary ?? item.description ?? ""),
    stars: item.stargazersCount,
    archived: item.archived,
  };
}

export function renderMarkdown(
  entries: readonly MarkdownEntry[],
  header: { login: string; exportedAt: string },
): string {
  const groups = new Map<string, MarkdownEntry[]>();
  for (const entry of entries)
    groups.set(titleCase(entry.group), [...(groups.get(titleCase(entry.group)) ?? []), entry]);
  const names = [...groups.keys()].sort((a, b) => (a === OTHER ? 1 : b === OTHER ? -1 : a.localeCompare(b)));
  const lines = [
    `# Stars of ${escapeMarkdown(header.login)}`,
    "",
    `${entries.length} repositories, exported by Starwise on ${header.exportedAt.slice(0, 10)}.`,
    "",
    "## Contents",
    "",
    ...names.map((name) => `- [${escapeMarkdown(name)}](#${anchor(name)})`),
  ];
  for (const name of names) {
    lines.push("", `## ${escapeMarkdown(name)}`, "");
    const items = [...(groups.get(name) ?? [])].sort((a, b) => a.fullName.localeCompare(b.fullName));
    for (const item of items) {
      const title = item.url ? `[${escapeMarkdown(item.fullName)}](${item.url})` : escapeMarkdown(item.fullName);
      const notes = [item.text ? escapeMarkdown(item.text) : "", item.archived ? "*(archived)*" : ""]
        .filter(Boolean)
        .join(" ");
      lines.push(`- ${title}${notes ? ` — ${notes}` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Newlines and runs of spaces end a list item or start a block: one line of single spaces. */
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** CommonMark lets any ASCII punctuation be backslash-escaped: `<b>`, `[x](y)`, `*`, `|` stay literal. */
export const escapeMarkdown = (text: string) =>
  oneLine(text).replace(/[\\`*_{}[\]()<>#+\-.!|~&"']/g, (ch) => `\\${ch}`);

const titleCase = (text: string) => (text === OTHER ? text : text.charAt(0).toLocaleUpperCase() + text.slice(1));

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
