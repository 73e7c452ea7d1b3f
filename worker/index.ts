// The Worker's entry: handlers and the classes wrangler.toml binds (STYLE.md habit 2).
import { app } from "./app";
import type { Bindings } from "./env";

export { UserSync } from "./durable-objects/user-sync";
export { SyncWorkflow } from "./sync/sync-workflow";

export default {
  fetch: app.fetch,
  // TODO(2026-11-28): the hourly re-sync (cron → due users → runs) arrives with the sync engine issue.
  async scheduled() {},
} satisfies ExportedHandler<Bindings>;
