import { describe, expect, it } from "vitest";
import { createDb } from "../db/client";
import type { StarredRepo } from "../github/types";
import { env } from "../test/helpers";
import { metaHash, planPage, type ReadmeChange } from "./plan";
import { nextQueuedReadmes, readmeWrites } from "./readme-queue";
import { loadKnown, pageWrites, runWrites } from "./store";

/** The run id the queued README lookups carry (no run row is needed: nothing here tallies a page). */
const RUN = "store-test";

const README = `# Quokka\n\n${"The quokka library keeps marsupials happy. ".repeat(400)}`;

function starred(githubId: number, over: Partial<StarredRepo["repo"]> = {}): StarredRepo {
  return {
    starredAt: 1_700_000_000_000 + githubId,
    repo: {
      githubId,
      nodeId: `R_${githubId}`,
      fullName: `fts-owner/repo-${githubId}`,
      name: `repo-${githubId}`,
      ownerLogin: "fts-owner",
      ownerAvatarUrl: null,
      description: "An ordinary wombat toolkit",
      htmlUrl: `https://github.com/fts-owner/repo-${githubId}`,
      homepage: null,
      stargazersCount: 10,
      language: "TypeScript",
      topics: ["marsupials"],
      license: "MIT",
      archived: false,
      disabled: false,
      fork: false,
      isPrivate: false,
      githubCreatedAt: 1_600_000_000_000,
      githubUpdatedAt: 1_650_000_000_000,
      githubPushedAt: 1_650_000_000_000,
      ...over,
    },
  };
}

/**
 * One sync of one page, as the list step does it (diff against D1, then write what changed and
 * queue README lookups), then the README step's writes for the given README changes.
 */
async function syncPage(userId: number, items: StarredRepo[], readmes = new Map<number, ReadmeChange>()) {
  const db = createDb(env.DB);
  const known = await loadKnown(
    db,
    userId,
    items.map((i) => i.repo.githubId),
  );
  const hashes = new Map(await Promise.all(items.map(async (i) => [i.repo.githubId, await metaHash(i.repo)] as const)));
  const planned = planPage(items, hashes, known.repos, known.stars, Date.now());
  const writes = pageWrites(db, userId, RUN, planned, Date.now());
  let rowsWritten = await runWrites(db, writes);
  const queued = (await nextQueuedReadmes(db, userId, 100)).filter((entry) => readmes.has(entry.githubId));
  const readmeStatements = queued.flatMap((entry) =>
    readmeWrites(db, userId, RUN, entry, readmes.get(entry.githubId)!, undefined, Date.now()),
  );
  rowsWritten += await runWrites(db, readmeStatements);
  return { writes: [...writes, ...readmeStatements], rowsWritten };
}

/**
 * Everything FTS5 stores for the index: the segment b-trees and structure record
 * (`_data`), the per-row sizes (`_docsize`) and the row text (`_content`). Any delete or
 * insert of an FTS row changes at least the structure record, so equal = not rewritten
 * (FTS5's shadow tables: https://www.sqlite.org/fts5.html, "Data structures").
 */
async function ftsState(): Promise<string> {
  const rows = await env.DB.batch([
    env.DB.prepare("select id, hex(block) as block from repositories_fts_data order by id"),
    env.DB.prepare("select id, hex(sz) as sz from repositories_fts_docsize order by id"),
    env.DB.prepare("select * from repositories_fts_content order by id"),
  ]);
  return JSON.stringify(rows.map((r) => r.results));
}

const sqlOf = (write: unknown) => (write as { toSQL(): { sql: string; params: unknown[] } }).toSQL();

async function search(term: string): Promise<number[]> {
  const { results } = await env.DB.prepare(
    "select r.github_id from repositories_fts f join repositories r on r.id = f.rowid " +
      "where repositories_fts match ?1 order by r.github_id",
  )
    .bind(`"${term}"`)
    .all<{ github_id: number }>();
  return results.map((r) => r.github_id);
}

async function newUser(login: string): Promise<number> {
  const row = await env.DB.prepare(
    "insert into users (github_id, login, token_ciphertext, created_at, updated_at) " +
      "values (?1, ?2, 'x', 0, 0) returning id",
  )
    .bind(Math.floor(Math.random() * 1e9), login)
    .first<{ id: number }>();
  return row!.id;
}

describe("sync writes and the FTS index", () => {
  it("a star-count change rewrites no FTS row; a description change does, and search finds it", async () => {
    const userId = await newUser("fts-drift");
    const ids = [9_100_001, 9_100_002];
    const first = await syncPage(
      userId,
      ids.map((id) => starred(id)),
      new Map(
        ids.map((id) => [
          id,
          { kind: "content", sha: `sha-${id}`, path: "README.md", content: README, contentChanged: true },
        ]),
      ),
    );
    // Two repositories, two stars, two README lookups queued; then two READMEs written and their entries deleted.
    expect(first.rowsWritten).toBe(10);
    // A new repository with its README is the widest statement: still far below D1's 100 bound parameters.
    for (const write of first.writes) expect(sqlOf(write).params.length).toBeLessThan(60);
    expect(await search("quokka")).toEqual(ids);
    const before = await ftsState();

    // Star counts drift (GitHub, every hour): one UPDATE per repository, naming only that column.
    const drift = await syncPage(
      userId,
      ids.map((id) => starred(id, { stargazersCount: 11 })),
    );
    expect(drift.rowsWritten).toBe(2);
    for (const write of drift.writes) {
      const { sql } = sqlOf(write);
      expect(sql).toMatch(
        /^update "repositories" set "stargazers_count" = \?, "meta_hash" = \?, "updated_at" = \? where/,
      );
    }
    expect(await ftsState()).toBe(before);
    const counts = await env.DB.prepare("select stargazers_count from repositories where github_id in (?1, ?2)")
      .bind(...ids)
      .all();
    expect(counts.results).toEqual([{ stargazers_count: 11 }, { stargazers_count: 11 }]);

    // The trigger itself ignores indexed columns SET to the value they already hold.
    await env.DB.prepare(
      "update repositories set description = description, readme_content = readme_content, stargazers_count = 12 " +
        "where github_id = ?1",
    )
      .bind(ids[0])
      .run();
    expect(await ftsState()).toBe(before);

    // A real change of indexed text is indexed at once; the old text is gone from the index.
    const edit = await syncPage(userId, [
      starred(ids[0]!, { stargazersCount: 12, description: "Now a platypus toolkit" }),
      starred(ids[1]!, { stargazersCount: 11 }),
    ]);
    expect(edit.rowsWritten).toBe(1);
    expect(await ftsState()).not.toBe(before);
    expect(await search("platypus")).toEqual([ids[0]]);
    expect(await search("wombat")).toEqual([ids[1]]);
    expect(await search("quokka")).toEqual(ids);
  });

  it("an unchanged page writes nothing at all", async () => {
    const userId = await newUser("fts-still");
    const items = [starred(9_200_001)];
    const readme = {
      kind: "content",
      sha: "sha-still",
      path: "README.md",
      content: README,
      contentChanged: true,
    } as const;
    await syncPage(userId, items, new Map([[9_200_001, readme]]));
    const again = await syncPage(userId, items);
    expect(again.writes).toEqual([]);
    expect(again.rowsWritten).toBe(0);
  });
});
