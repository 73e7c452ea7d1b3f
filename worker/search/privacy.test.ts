import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { app } from "../app";
import { createServices } from "../services";
import { BASE, env, signIn } from "../test/helpers";
import { seedLibraryItem, seedRepository, seedStar } from "../test/library-seed";
import { vectorId, vectorStoreOf } from "../vectors";
import { userNamespace } from "../vectors/store";

// Privacy of ranking (docs/architecture.md §7): no answer, score or order of one user's search
// may change when another user's private text changes — their notes, tags, descriptions, the
// summaries they read, or the README of a private repository only they can see. The outside
// probe that found the leak: alice searches two invented words of her own notes; octocat writes
// the first one in a note on a repository alice does not have; alice's bm25 scores moved
// (9.714620 → 8.740857). Here every search route answers byte for byte the same before and
// after, in both modes.

const KEYWORD_ONLY = { ...env, EMBEDDING_PROVIDER: "none" };
type Bindings = typeof env;

const get = async (session: string, path: string, bindings: Bindings) => {
  const response = await app.fetch(
    new Request(`${BASE}${path}`, { headers: { Authorization: `Bearer ${session}` } }),
    bindings,
  );
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return text;
};

async function mcpSearch(session: string, query: string, bindings: Bindings): Promise<string> {
  const client = new Client({ name: "privacy-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: async (input, init) => app.fetch(new Request(input, init), bindings),
    requestInit: { headers: { Authorization: `Bearer ${session}` } },
  });
  await client.connect(transport);
  try {
    return JSON.stringify(await client.callTool({ name: "search_stars", arguments: { query, limit: 20 } }));
  } finally {
    await client.close();
  }
}

/** The user's repositories embedded as the enrichment would (name, description, README), in their namespace. */
async function embedLibrary(userId: number) {
  const rows = await env.DB.prepare(
    `select r.id, r.full_name, r.description, r.readme_content from stars s
     join repositories r on r.id = s.repository_id where s.user_id = ? order by r.id`,
  )
    .bind(userId)
    .all<{ id: number; full_name: string; description: string | null; readme_content: string | null }>();
  const texts = rows.results.map((row) =>
    [row.full_name, row.description, row.readme_content].filter(Boolean).join("\n"),
  );
  const vectors = await createServices(env).embedder()!.embedBatch(texts);
  await vectorStoreOf(env).upsert(
    userNamespace(userId),
    rows.results.map((row, i) => ({ id: vectorId(userId, row.id, 0), repositoryId: row.id, values: vectors[i]! })),
  );
}

describe("privacy of ranking", () => {
  it("answers every search route byte for byte the same whatever another user's private text says", async () => {
    // Invented words: nobody else's text has them unless this test writes them.
    const [VEX, PLINTH, QUOR] = ["vexoriumzq", "plintharzq", "quorvanezq"];
    const alice = await signIn("privacy-alice", 0);
    const octocat = await signIn("privacy-octocat", 0);
    const mine = seedLibraryItem.bind(null, alice.user.id);
    await mine(
      { fullName: "privacy-alice/garden", description: "A web framework for gardens", topics: ["web"] },
      { notes: `${VEX} ${PLINTH} are my words` },
    );
    await mine(
      { fullName: "privacy-alice/vex", description: `The ${VEX} web framework`, readme: `# vex\n\n${PLINTH} inside.` },
      {},
    );
    await mine(
      { fullName: "privacy-alice/plinth", description: `${PLINTH} framework`, readme: `${QUOR} and web things` },
      { customTags: ["framework"] },
    );
    await mine({ fullName: "privacy-alice/quor", description: `${QUOR} for the web`, topics: [VEX] }, {});
    const shared = await mine({ fullName: "both/shared", description: "Web framework both star", readme: VEX }, {});
    await seedStar(octocat.user.id, shared, {});
    const octoPublic = await seedLibraryItem(octocat.user.id, { fullName: "octo/other", description: "other" }, {});
    await embedLibrary(alice.user.id);
    await embedLibrary(octocat.user.id);

    const session = alice.sessionToken;
    const queries = [VEX, PLINTH, QUOR, `${VEX} ${PLINTH}`, `web framework ${PLINTH}`, `${QUOR} framework web`];
    const answers = async () => {
      const out: string[] = [];
      for (const bindings of [env, KEYWORD_ONLY]) {
        for (const q of queries) {
          out.push(await get(session, `/api/search?${new URLSearchParams({ q })}`, bindings));
          out.push(await mcpSearch(session, q, bindings));
        }
        for (const name of ["garden", "vex", "plinth", "quor"]) {
          out.push(await get(session, `/api/repositories/privacy-alice/${name}/similar?limit=10`, bindings));
        }
      }
      return out;
    };
    const before = await answers();
    // Sanity: the answers are about something (the invented words find alice's rows).
    expect(before[0]).toContain("privacy-alice/garden");
    expect(JSON.parse(before[0]!).mode).toBe("hybrid");
    expect(JSON.parse(before[queries.length * 2 + 4]!).mode).toBe("keyword");

    // octocat's private text: notes, tags, descriptions on rows alice has and has not, and a private README.
    const db = env.DB;
    const octo = octocat.user.id;
    await db
      .prepare("update stars set notes = ?, custom_tags = ?, custom_description = ? where user_id = ?")
      .bind(`${VEX} ${VEX} ${PLINTH}`, JSON.stringify([PLINTH, "framework"]), `${QUOR} web framework`, octo)
      .run();
    const secret = await seedRepository({
      fullName: "octocat/private-thing",
      isPrivate: true,
      description: `${QUOR} ${VEX}`,
      readme: `${QUOR} ${QUOR} ${PLINTH} web framework ${"filler ".repeat(400)}`,
    });
    await seedStar(octo, secret, {
      notes: `${VEX} web`,
      analysis: { summary: `${PLINTH} web framework`, tags: [VEX] },
    });
    await embedLibrary(octo);
    const during = await answers();
    expect(during).toEqual(before);

    // And once it is gone again.
    await db
      .prepare("update stars set notes = null, custom_tags = null, custom_description = null where user_id = ?")
      .bind(octo)
      .run();
    await db.prepare("delete from stars where user_id = ? and repository_id = ?").bind(octo, secret).run();
    await db
      .prepare("update repositories set readme_content = null, description = null where id = ?")
      .bind(secret)
      .run();
    expect(octoPublic).toBeGreaterThan(0);
    expect(await answers()).toEqual(before);
  });

  it("finds a private repository by its text, kept out of the shared index, moved when it goes public", async () => {
    const WORD = "zentrolyxqa";
    const alice = await signIn("privacy-private-owner", 0);
    const id = await seedLibraryItem(
      alice.user.id,
      { fullName: "privacy-private/inside", isPrivate: true, readme: `# inside\n\nThe ${WORD} engine.` },
      {},
    );
    const where = async () => {
      const inPublic = await env.DB.prepare("select count(*) as n from repositories_fts where rowid = ?")
        .bind(id)
        .first();
      const inPrivate = await env.DB.prepare("select count(*) as n from private_repositories_fts where rowid = ?")
        .bind(id)
        .first();
      return { public: inPublic?.n, private: inPrivate?.n };
    };
    expect(await where()).toEqual({ public: 0, private: 1 });
    for (const bindings of [env, KEYWORD_ONLY]) {
      const answer = JSON.parse(await get(alice.sessionToken, `/api/search?q=${WORD}`, bindings));
      expect(answer.items.map((item: { fullName: string }) => item.fullName)).toEqual(["privacy-private/inside"]);
    }
    const listed = JSON.parse(await get(alice.sessionToken, `/api/repositories?q=${WORD}`, env));
    expect(listed.items).toHaveLength(1);
    await env.DB.prepare("update repositories set is_private = 0 where id = ?").bind(id).run();
    expect(await where()).toEqual({ public: 1, private: 0 });
    const after = JSON.parse(await get(alice.sessionToken, `/api/search?q=${WORD}`, KEYWORD_ONLY));
    expect(after.items).toHaveLength(1);
  });
});
