import { createServer, request as httpRequest, type Server } from "node:http";

// A pass-through proxy in front of the Worker that counts what the extension asks:
// "one lookup request per page" and "no request at all when signed out" are checked
// here, at the wire, not by trusting the extension. Streams (SSE) pass through as they come.

export interface CountingProxy {
  url: string;
  /** `METHOD /path` of every request, in order. */
  requests: string[];
  count(match: string | RegExp): number;
  reset(): void;
  /** Cuts every open connection (an SSE stream dropping mid-sync). */
  dropConnections(): void;
  /** While down, every connection is cut at once, as when the Worker is unreachable; true also cuts the open ones. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const requests: string[] = [];
  let down = false;
  const server: Server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const line = `${req.method} ${new URL(req.url ?? "/", "http://x").pathname}`;
    if (req.method !== "OPTIONS") requests.push(line);
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(forward);
    res.on("close", () => forward.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (match) => requests.filter((line) => (typeof match === "string" ? line === match : match.test(line))).length,
    reset: () => void requests.splice(0),
    dropConnections: () => server.closeAllConnections(),
    setDown: (value) => {
      down = value;
      if (value) server.closeAllConnections();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
