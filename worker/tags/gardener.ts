import { eq, sql } from "drizzle-orm";
import type { TagProposal, TagSummary } from "../../shared/tags";
import type { Db } from "../db/client";
import { analyses, stars, tagDismissals, tagViews } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import { oneEditApart } from "../lib/edit-distance";
import { inLibrary } from "../library/query";
import { normaliseTag, tagKey } from "../library/vocabulary";
import { readVocabulary, tagIdentity, type Vocabulary } from "./list";

// The gardener (`GET /api/tags/proposals`, MCP `tag_proposals`; docs/architecture.md §2 "Tags"): proposals the
// user accepts (sending the proposal's `operation` like any other) or dismisses; none applies itself. Each says
// how it was found (`reason`). Worked out on request from the tag list and one co-occurrence statement.

/** Proposals answered at most (near-duplicates first: they are the ones a merge fixes for good). */
const PROPOSALS_MAX = 200;
/** Edit distance is asked of short tags only, where one letter is likely a typo (longer: `nearest`, vocabulary.ts). */
const EDIT_DISTANCE_MAX_LENGTH = 8;
/** Co-occurrence: the smaller tag on at least this many repositories, nearly all of them carrying the other. */
const CO_OCCURRENCE_MIN = 3;
const CO_OCCURRENCE_OVERLAP = 0.9;
/** "Never looked at": an AI-only tag on at most this many repositories that the user never filtered by. */
const NEVER_VIEWED_MAX_COUNT = 2;

/**
 * Chinese and English names of the same subject, when both occur in one library: a small built-in table (not a
 * translator), the subjects Chinese READMEs and AI tags name most.
 */
export const TRANSLATIONS: ReadonlyArray<readonly [string, string]> = [
  ["前端", "frontend"],
  ["后端", "backend"],
  ["机器学习", "machine-learning"],
  ["深度学习", "deep-learning"],
  ["人工智能", "ai"],
  ["大模型", "llm"],
  ["大语言模型", "llm"],
  ["自然语言处理", "nlp"],
  ["计算机视觉", "computer-vision"],
  ["数据库", "database"],
  ["数据可视化", "data-visualization"],
  ["可视化", "visualization"],
  ["爬虫", "crawler"],
  ["编译器", "compiler"],
  ["操作系统", "operating-system"],
  ["命令行", "cli"],
  ["测试", "testing"],
  ["安全", "security"],
  ["网络", "networking"],
  ["游戏", "game"],
  ["教程", "tutorial"],
  ["框架", "framework"],
  ["工具", "tools"],
  ["区块链", "blockchain"],
  ["微服务", "microservices"],
  ["容器", "containers"],
  ["监控", "monitoring"],
  ["推荐系统", "recommender-system"],
  ["搜索引擎", "search-engine"],
  ["编辑器", "editor"],
];

export async function tagProposals(db: Db, userId: number): Promise<TagProposal[]> {
  const vocabulary = await readVocabulary(db, userId);
  const [dismissedRows, viewedRows, pairs] = await Promise.all([
    db.select({ id: tagDismissals.proposalId }).from(tagDismissals).where(eq(tagDismissals.userId, userId)),
    db.select({ tag: tagViews.tag }).from(tagViews).where(eq(tagViews.userId, userId)),
    coOccurrence(db, userId, vocabulary.reading),
  ]);
  const dismissed = new Set(dismissedRows.map((row) => row.id));
  const viewed = new Set(viewedRows.map((row) => tagIdentity(row.tag)));
  const proposals = await findProposals(vocabulary, viewed, pairs as PairRow[]);
  return proposals.filter((proposal) => !dismissed.has(proposal.id)).slice(0, PROPOSALS_MAX);
}

export async function dismissProposal(db: Db, userId: number, proposalId: string, now = new Date()) {
  await db.insert(tagDismissals).values({ userId, proposalId, createdAt: now }).onConflictDoNothing();
}

/** One upsert: the tag the user filtered the library by. */
export async function noteTagViewed(db: Db, userId: number, tag: string, now = new Date()) {
  await db
    .insert(tagViews)
    .values({ userId, tag, viewedAt: now })
    .onConflictDoUpdate({ target: [tagViews.userId, tagViews.tag], set: { viewedAt: now } });
}

type PairRow = { a: unknown; b: unknown; together: unknown };

/** Pairs of tags (as the user reads them) carried together by at least CO_OCCURRENCE_MIN repositories. */
function coOccurrence(db: Db, userId: number, reading: Map<string, string | null>) {
  const readAs = JSON.stringify(Object.fromEntries([...reading].filter(([, read]) => read !== null)));
  return db.all(sql`
    with reading(spelling, tag) as (select key, value from json_each(${readAs})),
    lib as (
      select ${stars.repositoryId} as rid, ${stars.customTags} as custom, ${analyses.tags} as ai
      from ${stars} left join ${analyses} on ${analyses.id} = ${stars.analysisId}
      where ${stars.userId} = ${userId} and ${inLibrary}),
    tagged as (
      select lib.rid, lower(j.value) as tag from lib, json_each(coalesce(lib.custom, '[]')) j where j.type = 'text'
      union
      select lib.rid, lower(r.tag) from lib, json_each(coalesce(lib.ai, '[]')) j join reading r on r.spelling = j.value)
    select x.tag as a, y.tag as b, count(*) as together
    from tagged x join tagged y on x.rid = y.rid and x.tag < y.tag
    group by x.tag, y.tag having count(*) >= ${CO_OCCURRENCE_MIN}
    order by together desc limit 500`);
}

/** The proposals over a tag list (pure but for hashing ids): near-duplicates, then clean-up. */
export async function findProposals(
  vocabulary: Pick<Vocabulary, "tags" | "customSpellings" | "spellingCounts">,
  viewed: ReadonlySet<string>,
  pairs: PairRow[],
): Promise<TagProposal[]> {
  const { tags } = vocabulary;
  const out: Array<Omit<TagProposal, "id">> = [];

  // One tag spelt in several cases across repositories (React here, react there): one spelling for all.
  for (const spellings of vocabulary.customSpellings.values()) {
    if (spellings.length < 2) continue;
    const counted = spellings
      .map((tag) => ({ tag, count: vocabulary.spellingCounts.get(tag) ?? 0, source: "custom" as const }))
      .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : 1));
    const [keep, ...rest] = counted;
    out.push({
      reason: "case",
      tags: counted,
      overlap: null,
      operation: { kind: "merge", from: rest.map((tag) => tag.tag), into: keep!.tag },
    });
  }
  const grouped = new Set<string>();
  const byId = new Map(tags.map((tag) => [tagIdentity(tag.tag), tag]));

  // Near-duplicates by spelling: one group per key; the most used spelling is the one kept.
  const groups = new Map<string, TagSummary[]>();
  for (const tag of tags) {
    const key = spellingKey(tag.tag);
    if (key) groups.set(key, [...(groups.get(key) ?? []), tag]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const [keep, ...rest] = group;
    for (const tag of group) grouped.add(tagIdentity(tag.tag));
    out.push(merge(reasonOf(group), group, keep!, rest, null));
  }

  // Translations, when both names occur.
  for (const [zh, en] of TRANSLATIONS) {
    const a = byId.get(tagIdentity(zh));
    const b = byId.get(en) ?? [...byId.values()].find((tag) => spellingKey(tag.tag) === spellingKey(en));
    if (!a || !b) continue;
    const [keep, other] = a.count >= b.count ? [a, b] : [b, a];
    out.push(merge("translation", [keep, other], keep, [other], null));
  }

  // One letter apart, short tags not already grouped.
  const short = tags.filter(
    (tag) => tag.tag.length >= 4 && tag.tag.length <= EDIT_DISTANCE_MAX_LENGTH && !grouped.has(tagIdentity(tag.tag)),
  );
  for (let i = 0; i < short.length; i++) {
    for (let j = i + 1; j < short.length; j++) {
      const [a, b] = [short[i]!, short[j]!];
      if (
        /\d/.test(a.tag + b.tag) ||
        tagIdentity(a.tag) === tagIdentity(b.tag) ||
        !oneEditApart(tagIdentity(a.tag), tagIdentity(b.tag))
      )
        continue;
      out.push(merge("edit-distance", [a, b], a, [b], null));
    }
  }

  // Nearly always together: the smaller tag says nothing the larger does not.
  for (const pair of pairs) {
    const a = byId.get(String(pair.a));
    const b = byId.get(String(pair.b));
    if (!a || !b || (grouped.has(tagIdentity(a.tag)) && grouped.has(tagIdentity(b.tag)))) continue;
    const [keep, other] = a.count >= b.count ? [a, b] : [b, a];
    const overlap = Number(pair.together) / other.count;
    if (overlap < CO_OCCURRENCE_OVERLAP) continue;
    out.push(merge("co-occurrence", [keep, other], keep, [other], Math.min(1, overlap)));
  }

  // Clean-up: own tags used once; AI tags on a repository or two the user never filtered by.
  for (const tag of tags) {
    if (tag.source === "custom" && tag.count === 1)
      out.push({ reason: "used-once", tags: [brief(tag)], overlap: null, operation: { kind: "delete", tag: tag.tag } });
    else if (tag.source === "ai" && tag.count <= NEVER_VIEWED_MAX_COUNT && !viewed.has(tagIdentity(tag.tag)))
      out.push({
        reason: "never-viewed",
        tags: [brief(tag)],
        overlap: null,
        operation: { kind: "hide", tag: tag.tag },
      });
  }

  return Promise.all(out.map(async (proposal) => ({ id: await proposalId(proposal), ...proposal })));
}

const brief = (tag: TagSummary) => ({ tag: tag.tag, count: tag.count, source: tag.source });

function merge(
  reason: TagProposal["reason"],
  tags: TagSummary[],
  keep: TagSummary,
  rest: TagSummary[],
  overlap: number | null,
): Omit<TagProposal, "id"> {
  return {
    reason,
    tags: tags.map(brief),
    overlap,
    operation: { kind: "merge", from: rest.map((tag) => tag.tag), into: keep.tag },
  };
}

/** Stable while the same tags are proposed the same way: a dismissal stays dismissed. */
async function proposalId(proposal: Omit<TagProposal, "id">): Promise<string> {
  const tags = proposal.tags.map((tag) => tagIdentity(tag.tag)).sort();
  return `${proposal.reason}:${(await sha256Hex(JSON.stringify(tags))).slice(0, 16)}`;
}

/** Spellings of one tag: case, separators, a plural, a `.js`/`js` suffix all fold away. */
export function spellingKey(tag: string): string {
  const bare = normaliseTag(tag).replace(/[-.]/g, "");
  // Before the plural: "nextjs" would otherwise lose its s.
  return tagKey(bare.length > 5 && bare.endsWith("js") ? bare.slice(0, -2) : bare);
}

/** Which fold makes this group one tag, the first that applies: case, then separators, plural, `.js`. */
function reasonOf(group: TagSummary[]): TagProposal["reason"] {
  const all = (f: (tag: string) => string) => new Set(group.map((tag) => f(tag.tag))).size === 1;
  if (all((tag) => tag.toLowerCase())) return "case";
  if (all((tag) => tag.toLowerCase().replace(/[\s_./-]+/g, ""))) return "separator";
  if (all((tag) => tagKey(normaliseTag(tag)))) return "plural";
  return "js-suffix";
}
