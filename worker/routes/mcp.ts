import * as streamableHttp from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { createMcpServer } from "../mcp/server";
import { previewOf, selectTargets } from "../unstar/runs";
import { ensureStarWrite } from "../unstar/star-write";
import { resumeUnstar, startUnstar, undoUnstar } from "../unstar/start";
import { spendSearch } from "../search/budget";

/** Bodies past this are refused by the transport (413) before they are parsed; the API's limit. */
const MAX_BODY = 1024 * 1024;

/**
 * `POST /mcp`: MCP over streamable HTTP (https://modelcontextprotocol.io/specification/2025-06-18/basic/transports),
 * authenticated by the same session bearer token as the API. Stateless: every POST gets a
 * fresh server and transport (the SDK's web-standard transport: Request in, Response out, as
 * a Worker needs) answering with JSON, so no session outlives its request and any isolate
 * can serve any call. Without a server-to-client stream, GET (and DELETE, which ends
 * sessions) answers 405, which the spec and the SDK's client take as "no stream here".
 */
export const mcpRoutes = new Hono<AppEnv>()
  .use(requireSession)
  .post("/", async (c) => {
    // The body was read once already, by the app's text rule (worker/lib/validator.ts): the
    // transport gets the same bytes. A JSON-RPC batch (an array) is refused: the protocol this
    // server speaks (2025-06-18) dropped batching, and one POST of a hundred searches would be a
    // hundred embedding calls past any budget counted per request.
    const body = await c.req.arrayBuffer();
    if (isBatch(body)) {
      return c.json(
        {
          jsonrpc: "2.0",
          error: { code: -32600, message: "Invalid Request: batches are not supported; send one message per POST" },
          id: null,
        },
        400,
      );
    }
    const { db, semantic, config } = c.var.services;
    const userId = c.var.user.id;
    const server = createMcpServer({
      db,
      userId,
      lists: { services: c.var.services, login: c.var.user.login },
      semantic,
      search: config.search,
      spendSearch: () => (semantic ? spendSearch(db, userId, config.searchesPerMinute) : Promise.resolve()),
      unstar: {
        preview: async (selection) => {
          const starWrite = await ensureStarWrite(c.var.services, userId);
          const { targets, notInLibrary } = await selectTargets(db, userId, selection);
          return previewOf(targets, notInLibrary, starWrite);
        },
        start: (selection) => startUnstar({ env: c.env, services: c.var.services, userId }, selection),
        undo: (runId) => undoUnstar({ env: c.env, services: c.var.services, userId }, runId),
        resume: (runId) => resumeUnstar({ env: c.env, services: c.var.services, userId }, runId),
      },
    });
    const transport = new streamableHttp.WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY,
    });
    await server.connect(transport);
    try {
      const { method, headers } = c.req.raw;
      return await transport.handleRequest(new Request(c.req.url, { method, headers, body }));
    } finally {
      // The JSON answer is complete once handleRequest resolves; nothing is left to send.
      await server.close();
    }
  })
  .on(["GET", "DELETE"], "/", (c) =>
    c.json(
      {
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: this server answers POST only (stateless)" },
        id: null,
      },
      405,
      {
        Allow: "POST",
      },
    ),
  );

/** A JSON array at the top: a JSON-RPC batch (anything else is the transport's to judge). */
function isBatch(body: ArrayBuffer): boolean {
  try {
    return Array.isArray(JSON.parse(new TextDecoder().decode(body)));
  } catch {
    return false;
  }
}
