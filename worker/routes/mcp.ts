import * as streamableHttp from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireSession } from "../lib/auth";
import { createMcpServer } from "../mcp/server";

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
    const server = createMcpServer({
      db: c.var.services.db,
      userId: c.var.user.id,
      semantic: c.var.services.semantic,
    });
    const transport = new streamableHttp.WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
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
