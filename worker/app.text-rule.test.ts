import { describe, expect, it } from "vitest";
import { ErrorBody } from "../shared/errors";
import { LONE_SURROGATE_MESSAGE } from "../shared/text";
import { app } from "./app";
import { BASE, env, signIn } from "./test/helpers";
import { seedLibraryItem } from "./test/library-seed";

// One text rule for every entry point (docs/architecture.md §3, "Text"): every route of the app
// — the API's and MCP's, taken from the app itself, so a route added later is in this test —
// and every MCP tool refuses a JSON body that is not UTF-8 or holds a lone surrogate, and
// stores nothing of it. Then MCP's own limits: no JSON-RPC batches, and a per-user budget of
// searches that call the embedding model.

const LONE = '"a\\ud800b"'; // JSON text whose string holds an unpaired high surrogate
/** `{"x":"a<ED A0 80>b"}`: a surrogate encoded as UTF-8 bytes, which UTF-8 forbids. */
const NOT_UTF8 = new Uint8Array([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0x61, 0xed, 0xa0, 0x80, 0x62, 0x22, 0x7d]);

const call = (session: string, method: string, path: string, body: BodyInit, bindings: typeof env = env) =>
  app.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${session}`,
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
      },
      body,
    }),
    bindings,
  );

/** Every route that may take a body, with its path parameters filled in. */
function bodyRoutes(): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  return app.routes
    .filter((route) => ["POST", "PUT", "PATCH", "DELETE"].includes(route.method))
    .map((route) => ({
      method: route.method,
      path: (route.path.replace(/\/$/, "") || "/").replace(":owner", "text-rule").replace(":name", "repo"),
    }))
    .filter((route) => !seen.has(`${route.method} ${route.path}`) && seen.add(`${route.method} ${route.path}`));
}

const mcpCall = (id: number, name: string, args: string) =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${args}}}`;

describe("the text rule at every entry point", () => {
  it("refuses a lone surrogate and bytes that are not UTF-8 on every route that takes a body", async () => {
    const { sessionToken, user } = await signIn("text-rule-routes", 0);
    await seedLibraryItem(user.id, { fullName: "text-rule/repo" }, { notes: "kept" });
    const routes = bodyRoutes();
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(
      expect.arrayContaining(["PATCH /api/repositories/text-rule/repo", "PUT /api/settings", "POST /mcp"]),
    );
    for (const { method, path } of routes) {
      for (const [what, body] of [
        ["a lone surrogate", `{"notes":${LONE},"x":${LONE}}`],
        ["a lone surrogate in a key", `{${LONE}:1}`],
        ["invalid UTF-8", NOT_UTF8],
      ] as const) {
        const response = await call(sessionToken, method, path, body);
        const text = await response.text();
        expect(response.status, `${method} ${path} with ${what}: ${text}`).toBe(400);
        const { error } = ErrorBody.parse(JSON.parse(text));
        expect(error.code).toBe("bad_request");
        expect(error.message).toMatch(what === "invalid UTF-8" ? /not valid UTF-8/ : LONE_SURROGATE_MESSAGE);
      }
    }
    const row = await env.DB.prepare("select notes from stars where user_id = ?").bind(user.id).first();
    expect(row).toEqual({ notes: "kept" });
  });

  it("refuses the same in the arguments of every MCP tool, and stores nothing", async () => {
    const { sessionToken, user } = await signIn("text-rule-mcp", 0);
    await seedLibraryItem(user.id, { fullName: "text-rule/mcp" }, { notes: "kept" });
    const list = await call(sessionToken, "POST", "/mcp", '{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
    const tools = ((await list.json()) as { result: { tools: Array<{ name: string; inputSchema: unknown }> } }).result
      .tools;
    expect(tools.length).toBeGreaterThanOrEqual(5);
    for (const tool of tools) {
      const properties = Object.keys((tool.inputSchema as { properties?: object }).properties ?? {});
      const args = `{${properties.map((key) => `"${key}":${key === "fullName" ? '"text-rule/mcp"' : LONE}`).join(",")}${
        properties.length > 0 ? "," : ""
      }"extra":${LONE}}`;
      const response = await call(sessionToken, "POST", "/mcp", mcpCall(2, tool.name, args));
      expect(response.status, `${tool.name}: ${await response.clone().text()}`).toBe(400);
      expect(ErrorBody.parse(await response.json()).error.message).toMatch(LONE_SURROGATE_MESSAGE);
    }
    const row = await env.DB.prepare("select notes from stars where user_id = ?").bind(user.id).first();
    expect(row).toEqual({ notes: "kept" });
  });
});

describe("MCP's limits", () => {
  it("refuses a JSON-RPC batch whole, before any tool runs", async () => {
    const { sessionToken, user } = await signIn("mcp-batch", 0);
    const calls = Array.from({ length: 100 }, (_, i) => mcpCall(i + 1, "search_stars", '{"query":"web"}'));
    const batch = `[${calls.join(",")}]`;
    const response = await call(sessionToken, "POST", "/mcp", batch);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      jsonrpc: "2.0",
      error: { code: -32600, message: "Invalid Request: batches are not supported; send one message per POST" },
      id: null,
    });
    // Nothing was counted against the search budget: no search ran.
    const counted = await env.DB.prepare("select count from sign_in_attempts where key = ?")
      .bind(`search:${user.id}`)
      .first();
    expect(counted).toBeNull();
  });

  it("spends a per-user budget of searches that call the model: 429 with Retry-After, in REST and MCP", async () => {
    const { sessionToken } = await signIn("search-budget", 0);
    const other = await signIn("search-budget-other", 0);
    const bindings = { ...env, SEARCHES_PER_MINUTE: "3" };
    const search = (session: string, b = bindings) =>
      app.fetch(new Request(`${BASE}/api/search?q=web`, { headers: { Authorization: `Bearer ${session}` } }), b);
    for (let i = 0; i < 3; i++) expect((await search(sessionToken)).status).toBe(200);
    const refused = await search(sessionToken);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const { error } = ErrorBody.parse(await refused.json());
    expect(error).toEqual({
      code: "rate_limited",
      message: `Too many searches by meaning: at most 3 a minute. Try again in ${retryAfter} s`,
    });
    // The tool says the same, as a tool error an agent can read.
    const tool = await call(sessionToken, "POST", "/mcp", mcpCall(3, "search_stars", '{"query":"web"}'), bindings);
    const answer = (await tool.json()) as { result: { isError: boolean; content: Array<{ text: string }> } };
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0]?.text).toMatch(/^Too many searches by meaning: at most 3 a minute/);
    // Per user; and a deployment without a model spends nothing (keyword search calls no model).
    expect((await search(other.sessionToken)).status).toBe(200);
    expect((await search(sessionToken, { ...bindings, EMBEDDING_PROVIDER: "none" })).status).toBe(200);
  });
});
