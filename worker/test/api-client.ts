import { hc } from "hono/client";
import type { AppType } from "../app";

/**
 * Hono's typed client for the Worker's API (`hc<AppType>`), for the Worker's tests. It lives
 * with them, not in shared/: shared/ imports nothing from worker/ (docs/architecture.md, habit
 * 4), and the extension has its own client (extension/lib/api.ts says why).
 */
export function createApiClient(baseUrl: string, options: { sessionToken?: string | null; fetch?: typeof fetch } = {}) {
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: (): Record<string, string> =>
      options.sessionToken ? { Authorization: `Bearer ${options.sessionToken}` } : {},
  });
}
