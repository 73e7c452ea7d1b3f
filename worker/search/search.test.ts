import { describe, expect, it } from "vitest";
import { createServices } from "../services";
import { ErrorBody } from "../../shared/errors";
import { SearchResponse, SimilarResponse, type SearchHit } from "../../shared/search";
import { createDb } from "../db/client";
import { vectorStoreOf, vectorId } from "../vectors";
import { seedLibraryItem, seedRepository, seedStar } from "../test/library-seed";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { userNamespace, type VectorMatch, type VectorStore } from "../vectors/store";
import { reciprocalRankFusion } from "./fusion";
import { DEFAULT_SEARCH_OPTIONS, searchLibrary, type Semantic } from "./search";
import { makeSnippet } from "./snippet";
import { parseQuery } from "../library/terms";

async function search(session: string, query: Record<string, string>) {
  const response = await workerFetch(`${BASE}/api/search?${new URLSearchParams(query)}`, {
    headers: { Authorization: `Bearer ${session}` },
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return SearchResponse.parse(JSON.parse(text));
}
const names = (answer: { items: SearchHit[] }) => answer.items.map((item) => item.fullName);

/** A small library: what a person might have starred, in English and Chinese. */
async function seedLibrary(login: string) {
  const session = await signIn(login, 0);
  const add = seedLibraryItem.bind(null, session.user.id);
  const ids = {
    hono: await add(
      {
        fullName: "honojs/hono",
        description: "Web framework built on Web Standards",
        language: "TypeScript",
        topics: ["web", "framework"],
      },
      {},
    ),
    fastapi: await add(
      {
        fullName: "tiangolo/fastapi",
        description: "FastAPI framework, high performance, easy to learn",
        language: "Python",
        topics: ["python", "api"],
      },
      {
        analysis: {
          summary: "A modern Python web framework for building APIs with type hints",
          tags: ["web-framework", "python"],
        },
      },
    ),
    ripgrep: await add(
      {
        fullName: "BurntSushi/ripgrep",
        description: "ripgrep recursively searches directories for a regex pattern while respecting your gitignore",
        language: "Rust",
        readme: "# ripgrep\n\nLine-oriented search tool. It is fast because of its literal optimizations and SIMD.",
      },
      { notes: "use instead of grep in huge monorepos" },
    ),
    chatglm: await add(
      {
        fullName: "THUDM/ChatGLM-6B",
        description: "ChatGLM-6B: An Open Bilingual Dialogue Language Model | 开源双语对话语言模型",
        language: "Python",
        readme: "ChatGLM-6B 是一个开源的、支持中英双语的对话语言模型，基于 General Language Model (GLM) 架构。",
      },
      {},
    ),
    mpx: await add(
      {
        fullName: "didi/mpx",
        description: "Mpx，一款具有优秀开发体验和深度性能优化的增强型跨端小程序框架",
        language: "JavaScript",
      },
      { customTags: ["小程序", "mini-program"] },
    ),
    saved: await add(
      { fullName: "saved/web-scraper", description: "A web scraping framework for Go", language: "Go" },
      { isStarred: false, isSaved: true },
    ),
    unstarred: await add(
      { fullName: "gone/web-thing", description: "A web framework nobody stars anymore", language: "Go" },
      { isStarred: false },
    ),
  };
  return { session: session.sessionToken, userId: session.user.id, ids };
}

describe("GET /api/search (keyword)", () => {
  it("needs a session and a query", async () => {
    const anonymous = await workerFetch(`${BASE}/api/search?q=web`);
    expect(anonymous.status).toBe(401);
    const { sessionToken } = await signIn("search-empty", 0);
    const empty = await workerFetch(`${BASE}/api/search?q=%20`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(empty.status).toBe(400);
    expect(ErrorBody.parse(await empty.json()).error.code).toBe("bad_request");
  });

  it("ranks names above descriptions above READMEs", async () => {
    const { session } = await seedLibrary("search-rank");
    const answer = await search(session, { q: "ripgrep" });
    // The tests' Worker has an embedding model (the AI emulator); this user has no vectors yet.
    expect(answer.mode).toBe("hybrid");
    expect(names(answer)[0]).toBe("BurntSushi/ripgrep");
    // "framework": in hono's name? no — in its topics and description, FastAPI's description and summary.
    const framework = await search(session, { q: "framework" });
    expect(names(framework)).toEqual(expect.arrayContaining(["honojs/hono", "tiangolo/fastapi", "saved/web-scraper"]));
    expect(names(framework)).not.toContain("gone/web-thing");
    for (const item of framework.items) expect(item.matchedBy).toEqual(["keyword"]);
    const scores = framework.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("finds English prefixes, README phrases and any of several words (more words rank higher)", async () => {
    const { session } = await seedLibrary("search-words");
    expect(names(await search(session, { q: "ripgr" }))[0]).toBe("BurntSushi/ripgrep");
    expect(names(await search(session, { q: "literal optimizations SIMD" }))[0]).toBe("BurntSushi/ripgrep");
    const mixed = await search(session, { q: "python web framework" });
    expect(names(mixed)[0]).toBe("tiangolo/fastapi");
    expect(names(mixed)).toContain("honojs/hono");
  });

  it("finds 2-character Chinese words and longer Chinese phrases", async () => {
    const { session } = await seedLibrary("search-zh");
    expect(names(await search(session, { q: "框架" }))).toEqual(["didi/mpx"]);
    expect(names(await search(session, { q: "对话" }))).toEqual(["THUDM/ChatGLM-6B"]);
    expect(names(await search(session, { q: "双语对话语言模型" }))[0]).toBe("THUDM/ChatGLM-6B");
    expect(names(await search(session, { q: "小程序" }))).toEqual(["didi/mpx"]);
    // Mixed scripts in one word: 6B and 对话.
    expect(names(await search(session, { q: "ChatGLM对话" }))[0]).toBe("THUDM/ChatGLM-6B");
  });

  it("searches the user's notes, tags and AI summary — for that user only", async () => {
    const alice = await seedLibrary("search-alice");
    const bob = await signIn("search-bob", 0);
    // Bob stars the same repositories, without notes.
    for (const id of Object.values(alice.ids)) await seedStar(bob.user.id, id, {});
    expect(names(await search(alice.session, { q: "monorepos" }))).toEqual(["BurntSushi/ripgrep"]);
    expect(names(await search(bob.sessionToken, { q: "monorepos" }))).toEqual([]);
    expect(names(await search(alice.session, { q: "type hints" }))).toEqual(["tiangolo/fastapi"]);
    expect(names(await search(bob.sessionToken, { q: "type hints" }))).toEqual([]);
    expect(names(await search(alice.session, { q: "mini-program" }))).toEqual(["didi/mpx"]);
    expect(names(await search(bob.sessionToken, { q: "mini-program" }))).toEqual([]);
    // The list's q filter sees the same per-user text.
    const list = await workerFetch(`${BASE}/api/repositories?q=monorepos`, {
      headers: { Authorization: `Bearer ${bob.sessionToken}` },
    });
    expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it("applies the filters before the limit", async () => {
    const { session } = await seedLibrary("search-filters");
    expect(names(await search(session, { q: "framework", language: "python" }))).toEqual(["tiangolo/fastapi"]);
    expect(names(await search(session, { q: "framework", saved: "true" }))).toEqual(["saved/web-scraper"]);
    expect(names(await search(session, { q: "framework", starred: "false" })).sort()).toEqual([
      "gone/web-thing",
      "saved/web-scraper",
    ]);
    expect(names(await search(session, { q: "framework", tag: "web-framework" }))).toEqual(["tiangolo/fastapi"]);
    expect(names(await search(session, { q: "framework", limit: "1" }))).toHaveLength(1);
  });

  it("takes operator characters as text, never as FTS syntax", async () => {
    const { session } = await seedLibrary("search-hostile");
    for (const q of [
      '"',
      "NEAR(web framework)",
      "web AND",
      "OR",
      "*",
      "-web",
      "col:umn",
      '" OR 1=1 --',
      "a)b(",
      "^web",
      "web*",
      "c++",
      "100%",
      "框架 OR",
    ]) {
      await search(session, { q });
    }
    // The words around the operators still count.
    expect(names(await search(session, { q: "NEAR(ripgrep)" }))[0]).toBe("BurntSushi/ripgrep");
    expect(names(await search(session, { q: '"ripgrep' }))[0]).toBe("BurntSushi/ripgrep");
  });

  it("marks the matched words in a snippet as offsets into plain text", async () => {
    const { session } = await seedLibrary("search-snippet");
    const [hit] = (await search(session, { q: "respecting gitignore" })).items;
    expect(hit?.snippet).not.toBeNull();
    const { text, ranges } = hit!.snippet!;
    expect(ranges.map(([start, end]) => text.slice(start, end))).toEqual(["respecting", "gitignore"]);
    // From the README when nothing shorter mentions the words.
    const [readmeHit] = (await search(session, { q: "SIMD" })).items;
    expect(readmeHit?.snippet?.ranges.map(([start, end]) => readmeHit.snippet!.text.slice(start, end))).toEqual([
      "SIMD",
    ]);
    const [zh] = (await search(session, { q: "框架" })).items;
    expect(zh?.snippet?.ranges.map(([start, end]) => zh.snippet!.text.slice(start, end))).toEqual(["框架"]);
  });
});

describe("snippets", () => {
  it("cuts long text around the first match, offsets still right, no HTML", () => {
    const long = `${"lorem ipsum ".repeat(40)}the <b>needle</b> is here ${"dolor sit ".repeat(40)}`;
    const snippet = makeSnippet([null, long], parseQuery("needle"));
    expect(snippet?.text.startsWith("…")).toBe(true);
    expect(snippet?.text.length).toBeLessThanOrEqual(182);
    expect(snippet?.ranges.map(([start, end]) => snippet.text.slice(start, end))).toEqual(["needle"]);
    expect(snippet?.text).toContain("<b>needle</b>"); // text as it is: the client renders it as text
    expect(makeSnippet(["nothing here"], parseQuery("needle"))).toBeNull();
    // Overlapping bigrams of one Chinese word are one range; prefixes match at word starts only.
    const zh = makeSnippet(["一个前端框架架构"], parseQuery("框架架构"));
    expect(zh?.ranges).toEqual([[4, 8]]);
    expect(makeSnippet(["preact and react"], parseQuery("react"))?.ranges).toEqual([[11, 16]]);
  });
});

describe("the FTS indexes", () => {
  const count = async (table: string, rowid: number) =>
    (await env.DB.prepare(`select count(*) as n from ${table} where rowid = ?`).bind(rowid).first<{ n: number }>())?.n;

  it("keep one row per repository and per star, rewritten only when indexed text changes", async () => {
    const { user } = await signIn("fts-rows", 0);
    const id = await seedRepository({ fullName: "fts/rows", description: "first words" });
    await seedStar(user.id, id, { notes: "a note" });
    const starRowid = user.id * 2 ** 32 + id;
    expect(await count("repositories_fts", id)).toBe(1);
    expect(await count("stars_fts", starRowid)).toBe(1);
    const changes = async (sql: string, ...binds: unknown[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...binds)
          .run()
      ).meta.changes;
    await changes("update repositories set description = 'second words', stargazers_count = 5 where id = ?", id);
    await changes("update repositories set description = 'second words' where id = ?", id);
    await changes("update stars set notes = 'another note' where user_id = ? and repository_id = ?", user.id, id);
    await changes(
      "update stars set notes = 'another note', is_starred = 1 where user_id = ? and repository_id = ?",
      user.id,
      id,
    );
    expect(await count("repositories_fts", id)).toBe(1);
    expect(await count("stars_fts", starRowid)).toBe(1);
    const fts = await env.DB.prepare("select description from repositories_fts where rowid = ?").bind(id).first();
    expect(fts).toEqual({ description: "second words" });
    // Clearing the user's text removes the row; deleting the star too.
    await changes("update stars set notes = null where user_id = ? and repository_id = ?", user.id, id);
    expect(await count("stars_fts", starRowid)).toBe(0);
    await changes("update stars set notes = 'back' where user_id = ? and repository_id = ?", user.id, id);
    await changes("delete from stars where user_id = ? and repository_id = ?", user.id, id);
    expect(await count("stars_fts", starRowid)).toBe(0);
    await changes("delete from repositories where id = ?", id);
    expect(await count("repositories_fts", id)).toBe(0);
  });

  it(
    "append CJK bigrams to text with CJK, even across the 65-character chunks, " + "and nothing to text without",
    async () => {
      const long = `${"x".repeat(63)}数据库${"y".repeat(100)}向量检索`;
      const id = await seedRepository({ fullName: "fts/cjk", description: long, readme: "plain English only" });
      const row = await env.DB.prepare("select description, readme from repositories_fts where rowid = ?")
        .bind(id)
        .first<{ description: string; readme: string }>();
      const [text, grams] = (row?.description ?? "").split("\n");
      expect(text).toBe(long);
      // The chunks are walked in no particular order; the set of bigrams is what is indexed.
      expect(grams?.split(" ").sort()).toEqual(["数据", "据库", "向量", "量检", "检索"].sort());
      expect(row?.readme).toBe("plain English only");
    },
  );
});

describe("hybrid search (searchLibrary with a stand-in semantic ranking)", () => {
  /** Vectors are not this test's subject: a store that answers a fixed nearest-first list. */
  function fixedSemantic(order: () => number[], calls: string[] = []): Semantic {
    const store: VectorStore = {
      upsert: async () => {},
      delete: async () => {},
      query: async (namespace, _vector, topK): Promise<VectorMatch[]> => {
        calls.push(namespace);
        return order()
          .slice(0, topK)
          .map((repositoryId, i) => ({ id: `x:${repositoryId}:0`, repositoryId, score: 1 - i / 100 }));
      },
    };
    // Its scores (1, 0.99, …) are all above the floor it is given.
    return { model: "fixed", embedQuery: async () => [1, 0, 0], embedTexts: async () => [], store, fixedFloor: 0.5 };
  }

  it("fuses both rankings by reciprocal rank (SEARCH_FUSION=rrf): found by both beats found by one", async () => {
    const { userId, ids } = await seedLibrary("hybrid-fusion");
    const db = createDb(env.DB);
    const calls: string[] = [];
    // The semantic side puts hono first and fastapi second.
    const semantic = fixedSemantic(() => [ids.hono, ids.ripgrep, ids.fastapi], calls);
    const rrf = { ...DEFAULT_SEARCH_OPTIONS, fusion: "rrf" } as const;
    const answer = await searchLibrary(db, userId, { q: "python api" }, semantic, rrf);
    expect(answer.mode).toBe("hybrid");
    expect(calls).toEqual([userNamespace(userId)]);
    const byName = new Map(answer.items.map((item) => [item.fullName, item]));
    // fastapi: keyword 1st + semantic 3rd; hono: semantic 1st only.
    expect(answer.items[0]?.fullName).toBe("tiangolo/fastapi");
    expect(byName.get("tiangolo/fastapi")?.matchedBy).toEqual(["keyword", "semantic"]);
    expect(byName.get("honojs/hono")?.matchedBy).toEqual(["semantic"]);
    expect(byName.get("honojs/hono")?.snippet).toBeNull();
    expect(answer.items[0]!.score).toBeCloseTo(1 / 61 + 1 / 63);
  });

  it("applies the filters to the semantic ranking too, and never shows another user's rows", async () => {
    const { userId, ids } = await seedLibrary("hybrid-filters");
    const other = await signIn("hybrid-other", 0);
    const foreign = await seedLibraryItem(other.user.id, { fullName: "other/private-thing", description: "python" });
    const db = createDb(env.DB);
    const semantic = fixedSemantic(() => [foreign, ids.unstarred, ids.hono, ids.saved, ids.fastapi]);
    const starredOnly = await searchLibrary(db, userId, { q: "zzzz-no-keyword-match" }, semantic);
    expect(names(starredOnly)).toEqual(["honojs/hono", "saved/web-scraper", "tiangolo/fastapi"]);
    const go = await searchLibrary(db, userId, { q: "zzzz-no-keyword-match", language: "Go" }, semantic);
    expect(names(go)).toEqual(["saved/web-scraper"]);
  });

  it("answers with keywords (mode keyword) when the embedding model fails", async () => {
    const { userId } = await seedLibrary("hybrid-failing");
    const failing: Semantic = {
      ...fixedSemantic(() => []),
      embedQuery: async () => Promise.reject(new Error("AI down")),
    };
    const answer = await searchLibrary(createDb(env.DB), userId, { q: "ripgrep" }, failing);
    expect(answer.mode).toBe("keyword");
    expect(names(answer)[0]).toBe("BurntSushi/ripgrep");
  });
});

describe("hybrid search through the Worker (the D1 vector store, the embedder on the AI emulator)", () => {
  /** What the enrichment would embed for each repository, embedded and stored in the user's namespace. */
  async function embedLibrary(userId: number, ids: Record<string, number>) {
    const rows = await env.DB.prepare(
      "select r.id, r.full_name, r.description, r.readme_content, a.summary " +
        `from stars s join repositories r on r.id = s.repository_id
       left join analyses a on a.id = s.analysis_id where s.user_id = ? order by r.id`,
    )
      .bind(userId)
      .all<{
        id: number;
        full_name: string;
        description: string | null;
        readme_content: string | null;
        summary: string | null;
      }>();
    const texts = rows.results.map((row) =>
      [row.full_name, row.description, row.summary, row.readme_content].filter(Boolean).join("\n"),
    );
    const vectors = await createServices(env).embedder()!.embedBatch(texts);
    await vectorStoreOf(env).upsert(
      userNamespace(userId),
      rows.results.map((row, i) => ({ id: vectorId(userId, row.id, 0), repositoryId: row.id, values: vectors[i]! })),
    );
    expect(rows.results.length).toBe(Object.keys(ids).length);
  }

  it("finds by meaning what the words miss, fuses both, and filters both", async () => {
    const { session, userId, ids } = await seedLibrary("hybrid-real");
    await embedLibrary(userId, ids);
    // "regex" is in ripgrep's description only as "regex pattern"; "searching" is nowhere as a word.
    const answer = await search(session, { q: "searching regex directories" });
    expect(answer.mode).toBe("hybrid");
    expect(answer.items[0]?.fullName).toBe("BurntSushi/ripgrep");
    expect(answer.items[0]?.matchedBy).toEqual(["keyword", "semantic"]);
    // Every repository has a vector, so the semantic side returns the whole (filtered) library:
    // the neighbours no better than nonsense are related, not matches.
    expect(names(answer)).toEqual(["BurntSushi/ripgrep"]);
    for (const hit of answer.related) expect(hit.matchedBy).toEqual(["semantic"]);
    expect([...names(answer), ...answer.related.map((hit) => hit.fullName)]).not.toContain("gone/web-thing");
    // The filter applies to both: in Go, nothing matches (the one Go repository shares no word or meaning).
    const go = await search(session, { q: "searching regex directories", language: "Go" });
    expect(names(go)).toEqual([]);
    const goWeb = await search(session, { q: "web scraping", language: "Go" });
    expect(names(goWeb)).toEqual(["saved/web-scraper"]);
    const unstarred = await search(session, { q: "web", starred: "false" });
    expect(names(unstarred).sort()).toEqual(["gone/web-thing", "saved/web-scraper"]);
  });

  it("similar repositories come from the vectors and exclude the repository itself", async () => {
    const { session, userId, ids } = await seedLibrary("similar-real");
    await embedLibrary(userId, ids);
    const response = await workerFetch(`${BASE}/api/repositories/honojs/hono/similar?limit=3`, {
      headers: { Authorization: `Bearer ${session}` },
    });
    const answer = SimilarResponse.parse(await response.json());
    expect(answer.mode).toBe("hybrid");
    expect(names(answer)).toHaveLength(3);
    expect(names(answer)).not.toContain("honojs/hono");
    expect(names(answer)).not.toContain("gone/web-thing");
    for (const item of answer.items) expect(item.matchedBy).toEqual(["semantic"]);
  });

  it("is keyword-only with EMBEDDING_PROVIDER=none", () => {
    expect(createServices({ ...env, EMBEDDING_PROVIDER: "none" }).semantic).toBeNull();
    expect(createServices(env).semantic).not.toBeNull();
  });
});

describe("reciprocalRankFusion", () => {
  it("sums 1/(60 + rank) per ranking; ties go to the keyword side", () => {
    const fused = reciprocalRankFusion([1, 2, 3], [3, 4, 1]);
    expect(fused.map((hit) => hit.id)).toEqual([1, 3, 2, 4]);
    expect(fused[0]).toEqual({ id: 1, score: 1 / 61 + 1 / 63, keywordRank: 1, semanticRank: 3 });
    expect(reciprocalRankFusion([5], [6]).map((hit) => hit.id)).toEqual([5, 6]);
    expect(reciprocalRankFusion([7, 7], []).map((hit) => hit.keywordRank)).toEqual([1]);
  });
});

describe("GET /api/repositories/:owner/:name/similar", () => {
  it("before the library has vectors: the library's repositories sharing its words, never itself", async () => {
    const { session } = await seedLibrary("similar-keyword");
    const response = await workerFetch(`${BASE}/api/repositories/tiangolo/fastapi/similar`, {
      headers: { Authorization: `Bearer ${session}` },
    });
    expect(response.status).toBe(200);
    const answer = SimilarResponse.parse(await response.json());
    expect(answer.mode).toBe("keyword");
    expect(names(answer)).not.toContain("tiangolo/fastapi");
    expect(names(answer)[0]).toBe("honojs/hono");
    const missing = await workerFetch(`${BASE}/api/repositories/nobody/nothing/similar`, {
      headers: { Authorization: `Bearer ${session}` },
    });
    expect(missing.status).toBe(404);
  });
});
