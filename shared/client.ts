import { hc } from "hono/client";
// The one allowed import from worker/: the type of the route chain (docs/architecture.md, habit 4).
import type { AppType } from "../worker/app";

/** Typed client for the Worker's API, used by the tests and the extension's background. */
export function createApiClient(baseUrl: string, options: { sessionToken?: string | null; fetch?: typeof fetch } = {}) {
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: (): Record<string, string> =>
      options.sessionToken ? { Authorization: `Bearer ${options.sessionToken}` } : {},
  });
}
export type ApiClient = ReturnType<typeof createApiClient>;
