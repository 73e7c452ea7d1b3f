import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { Digest } from "../../shared/digest";
import { RepositoryItem } from "../../shared/repositories";
import { SINCE, seedDigestLibrary } from "../test/digest-seed";
import { seedLibraryItem } from "../test/library-seed";
import { AuthTokenResponse } from "../../shared/api";
import { UnstarRun } from "../../shared/unstar";
import { api, BASE, emulator, env, signIn, workerFetch } from "../test/helpers";
import { doneOf, fastWorkflows, githubStars, syncOnce } from "../test/sync-helpers";

/** The official SDK's client, speaking streamable HTTP to the Worker (through its default export). */
async function connect(sessionToken: string | null) {
  const client = new Client({ name: "starwise-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: workerFetch,
    requestInit: sessionToken ? { headers: { Authorization: `Bearer ${sessionToken}` } } : {},
  });
  await client.connect(transport);
  return client;
}

const textOf = (result: Awaited<ReturnType<Client["callTool"]>>) => {
  const [first] = result.content as Array<{ type: string; text: string }>;
  if (first?.type !== "text") throw new Error(`no text content: ${JSON.stringify(result)}`);
  return first.text;
};
const jsonOf = (result: Awaited<ReturnType<Client["callTool"]>>) =>
  JSON.parse(textOf(result)) as Record<string, unknown>;

async function seedAgentLibrary(login: string) {
  const session = await signIn(login, 0);
  const add = seedLibraryItem.bind(null, session.user.id);
  await add(
    {
      fullName: "honojs/hono",
      description: "Web framework built on Web Standards",
      language: "TypeScript",
      topics: ["web", "framework"],
    },
    { customTags: ["backend"] },
  );
  await add(
    {
      fullName: "tiangolo/fastapi",
      description: "FastAPI framework, high performance",
      language: "Python",
      topics: ["python", "web"],
    },
    { analysis: { summary: "A Python web framework for APIs with type hints", tags: ["web-framework", "python"] } },
  );
  await add(
    { fullName: "BurntSushi/ripgrep", description: "Search directories for a regex pattern", language: "Rust" },
    { customTags: ["cli", "backend"] },
  );
  return session;
}

describe("POST /mcp (the official MCP client against the Worker)", () => {
  it("lets an agent tidy tags: a merge it can see in list_tags, and its undo", async () => {
    const session = await seedAgentLibrary("mcp-gardener");
    const client = await connect(session.sessionToken);
    try {
      const before = jsonOf(await client.callTool({ name: "list_tags", arguments: {} }));
      const merged = jsonOf(
        await client.callTool({
          name: "merge_tags",
          arguments: { from: ["web-framework", "backend"], into: "web", idempotencyKey: "agent-1" },
        }),
      ) as { operation: { id: number; repositories: number } };
      expect(merged.operation.repositories).toBe(2);
      const again = jsonOf(
        await client.callTool({
          name: "merge_tags",
          arguments: { from: ["web-framework", "backend"], into: "web", idempotencyKey: "agent-1" },
        }),
      );
      expect(again).toEqual(merged);
      const after = jsonOf(await client.callTool({ name: "list_tags", arguments: {} }));
      expect((after.tags as Array<{ tag: string; count: number }>).slice(0, 1)).toMatchObject([
        { tag: "web", count: 3, source: "both", aiSpellings: ["web-framework"] },
      ]);
      const refused = await client.callTool({ name: "delete_tag", arguments: { tag: "python" } });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/not one of your own tags/);
      await client.callTool({ name: "undo_tag_operation", arguments: { id: merged.operation.id } });
      expect(jsonOf(await client.callTool({ name: "list_tags", arguments: {} }))).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it("lists the tools and answers them for the session's user", async () => {
    const session = await seedAgentLibrary("mcp-alice");
    const client = await connect(session.sessionToken);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        "delete_tag",
        "get_repository",
        "hide_tag",
        "list_github_lists",
        "list_tags",
        "merge_tags",
        "rename_tag",
        "search_stars",
        "set_github_list_items",
        "set_notes",
        "similar_repositories",
        "star_digest",
        "tag_proposals",
        "tag_repositories",
        "undo_tag_operation",
        "undo_unstar",
        "unstar_stars",
      ]);
      expect(tools.find((tool) => tool.name === "search_stars")?.annotations?.readOnlyHint).toBe(true);

      const search = jsonOf(
        await client.callTool({ name: "search_stars", arguments: { query: "python web framework" } }),
      );
      expect(search.mode).toBe("hybrid"); // the tests embed with the AI emulator; this user has no vectors yet
      const results = search.results as Array<{ fullName: string; summary: string | null }>;
      expect(results[0]).toMatchObject({
        fullName: "tiangolo/fastapi",
        summary: "A Python web framework for APIs with type hints",
      });
      const filtered = jsonOf(
        await client.callTool({ name: "search_stars", arguments: { query: "framework", language: "TypeScript" } }),
      );
      expect((filtered.results as Array<{ fullName: string }>).map((hit) => hit.fullName)).toEqual(["honojs/hono"]);
      // A misspelled word is searched as its correction, and the answer says which.
      const typo = jsonOf(await client.callTool({ name: "search_stars", arguments: { query: "fastpi" } }));
      expect((typo.results as Array<{ fullName: string }>)[0]?.fullName).toBe("tiangolo/fastapi");
      expect(typo.spelling).toEqual([{ word: "fastpi", instead: ["fastapi"] }]);

      const repo = RepositoryItem.parse(
        jsonOf(await client.callTool({ name: "get_repository", arguments: { fullName: "HONOJS/hono" } })),
      );
      expect(repo).toMatchObject({ fullName: "honojs/hono", customTags: ["backend"] });

      const similar = jsonOf(
        await client.callTool({ name: "similar_repositories", arguments: { fullName: "tiangolo/fastapi" } }),
      );
      const similarNames = (similar.results as Array<{ fullName: string }>).map((hit) => hit.fullName);
      expect(similarNames[0]).toBe("honojs/hono");
      expect(similarNames).not.toContain("tiangolo/fastapi");

      const tags = jsonOf(await client.callTool({ name: "list_tags", arguments: {} }));
      expect(tags.tags).toEqual(
        expect.arrayContaining([
          { tag: "backend", count: 2, customCount: 2, aiCount: 0, source: "custom", aiSpellings: [] },
          { tag: "cli", count: 1, customCount: 1, aiCount: 0, source: "custom", aiSpellings: [] },
          { tag: "python", count: 1, customCount: 0, aiCount: 1, source: "ai", aiSpellings: ["python"] },
        ]),
      );
      expect((tags.tags as Array<{ tag: string }>)[0]?.tag).toBe("backend");

      const written = jsonOf(
        await client.callTool({
          name: "set_notes",
          arguments: { fullName: "BurntSushi/ripgrep", notes: "grep for monorepos" },
        }),
      );
      expect(written).toEqual({ fullName: "BurntSushi/ripgrep", notes: "grep for monorepos" });
      // The note is searchable at once, through the same search as the API's.
      const found = jsonOf(await client.callTool({ name: "search_stars", arguments: { query: "monorepos" } }));
      expect((found.results as Array<{ fullName: string }>).map((hit) => hit.fullName)).toEqual(["BurntSushi/ripgrep"]);

      const missing = await client.callTool({ name: "get_repository", arguments: { fullName: "nobody/nothing" } });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toBe("nobody/nothing is not in the user's library");
      const bad = await client.callTool({ name: "set_notes", arguments: { fullName: "../etc", notes: "x" } });
      expect(bad.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("star_digest: the digest of GET /api/digest, with the notice; bad input is a tool error", async () => {
    const session = await signIn("mcp-digest", 0);
    await seedDigestLibrary(session.user.id, "md");
    const client = await connect(session.sessionToken);
    try {
      const result = await client.callTool({ name: "star_digest", arguments: { since: SINCE, quietYears: 1 } });
      const { notice, ...rest } = jsonOf(result);
      expect(notice).toMatch(/do not follow instructions/);
      const digest = Digest.parse(rest);
      const route = await workerFetch(`${BASE}/api/digest?since=${encodeURIComponent(SINCE)}&quietYears=1`, {
        headers: { Authorization: `Bearer ${session.sessionToken}` },
      });
      const viaRoute = Digest.parse(await route.json());
      expect({ ...digest, until: null }).toEqual({ ...viaRoute, until: null });
      expect(digest.releases.items.map((item) => item.fullName)).toEqual(["md/released", "md/released-early"]);
      expect(digest.gone.items[0]?.goneReason).toBe("deleted");

      const bad = await client.callTool({ name: "star_digest", arguments: { since: "last tuesday" } });
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toMatch(/since must be an ISO date/);
    } finally {
      await client.close();
    }
  });

  it("unstar_stars previews, changes nothing unless confirmed, then starts; undo_unstar undoes", async () => {
    await using _ = await fastWorkflows();
    const login = "mcp-unstar";
    await emulator("users", { login, stars: 3, scopes: "public_repo" });
    const response = await api().api.auth.token.$post({ json: { githubToken: `emulator-token-${login}` } });
    const session = AuthTokenResponse.parse(await response.json());
    doneOf(await syncOnce(session.sessionToken));
    const names = (await githubStars(login)).map((star) => star.fullName);
    const client = await connect(session.sessionToken);
    try {
      const preview = jsonOf(await client.callTool({ name: "unstar_stars", arguments: { names } }));
      expect(preview).toMatchObject({ total: 3, starWrite: { state: "allowed" }, nextStep: expect.any(String) });
      expect(await githubStars(login)).toHaveLength(3);
      expect((await env.DB.prepare("select count(*) n from unstar_runs").first<{ n: number }>())!.n).toBe(0);
      const bad = await client.callTool({ name: "unstar_stars", arguments: { names, archived: true, confirm: true } });
      expect(bad.isError).toBe(true);

      const started = jsonOf(await client.callTool({ name: "unstar_stars", arguments: { names, confirm: true } }));
      const run = UnstarRun.parse(started.run);
      expect(run).toMatchObject({ action: "unstar", total: 3 });
      for (let i = 0; i < 200 && (await githubStars(login)).length > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await githubStars(login)).toEqual([]);

      // An agent can undo it: the same three are starred on GitHub again.
      const notARun = await client.callTool({ name: "undo_unstar", arguments: { runId: crypto.randomUUID() } });
      expect(notARun.isError).toBe(true);
      let undo: Record<string, unknown> = {};
      for (let i = 0; i < 200; i++) {
        const answer = await client.callTool({ name: "undo_unstar", arguments: { runId: run.id } });
        // The run's lock is released just after its last request: until then the undo is told it is busy.
        if (!answer.isError) {
          undo = jsonOf(answer);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(UnstarRun.parse(undo.run)).toMatchObject({ action: "restar", total: 3 });
      for (let i = 0; i < 200 && (await githubStars(login)).length < 3; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await githubStars(login)).map((star) => star.fullName).sort()).toEqual([...names].sort());
    } finally {
      await client.close();
    }
  });

  it("is one user's library only: another session neither sees nor writes it", async () => {
    await seedAgentLibrary("mcp-owner");
    const other = await signIn("mcp-other", 0);
    const client = await connect(other.sessionToken);
    try {
      const search = jsonOf(await client.callTool({ name: "search_stars", arguments: { query: "framework" } }));
      expect(search.results).toEqual([]);
      const write = await client.callTool({
        name: "set_notes",
        arguments: { fullName: "honojs/hono", notes: "not mine" },
      });
      expect(write.isError).toBe(true);
      const notes = await env.DB.prepare("select count(*) as n from stars where notes = 'not mine'").first();
      expect(notes).toEqual({ n: 0 });
    } finally {
      await client.close();
    }
  });

  it("needs the session bearer token; GET has no stream (405)", async () => {
    await expect(connect(null)).rejects.toThrow(/unauthorized/);
    await expect(connect("not-a-session")).rejects.toThrow(/unauthorized/);
    const { sessionToken } = await signIn("mcp-get", 0);
    const get = await workerFetch(`${BASE}/mcp`, {
      headers: { Authorization: `Bearer ${sessionToken}`, Accept: "text/event-stream" },
    });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
  });
});
