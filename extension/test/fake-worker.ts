import { vi } from "vitest";

/** A stand-in Worker for background units: `METHOD /path` → handler; every request recorded. */
export function fakeWorker(routes: Record<string, (request: Request) => Response | Promise<Response>>) {
  const requests: string[] = [];
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const url = new URL(request.url);
    const line = `${request.method} ${url.pathname}`;
    requests.push(line);
    const handler = routes[line];
    if (!handler)
      return Response.json({ error: { code: "not_found", message: `No route for ${line}` } }, { status: 404 });
    return handler(request);
  });
  return { requests, restore: () => spy.mockRestore() };
}

/** An SSE body the test writes frames into. */
export function sseStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: () => new Response(body, { headers: { "Content-Type": "text/event-stream" } }),
    send: (event: string, data: unknown) =>
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
    end: () => controller.close(),
    fail: () => controller.error(new TypeError("network error")),
  };
}

export const stats = {
  requests: { rest: 1, restNotModified: 0, graphql: 2 },
  graphqlPoints: 2,
  rowsWritten: 3,
  readmesFetched: 1,
  failures: 0,
};
