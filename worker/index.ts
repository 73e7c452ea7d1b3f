// The Worker's entry: handlers and the classes wrangler.toml binds (docs/architecture.md, habit 2).
import { app } from "./app";
import type { Bindings } from "./env";
import { purgeExpiredAuth } from "./lib/auth";
import { startDueSyncs } from "./sync/schedule";

export { UserSync } from "./durable-objects/user-sync";
export { SyncWorkflow } from "./sync/sync-workflow";
export { UnstarWorkflow } from "./unstar/unstar-workflow";

export default {
  fetch: app.fetch,
  // Cron (every 5 minutes): start the hourly sync of every user who is due.
  async scheduled(controller, env, ctx) {
    ctx.waitUntil(startDueSyncs(env, controller.scheduledTime));
    // Expired sessions and sign-in windows are deleted, not just ignored (docs/architecture.md §2).
    ctx.waitUntil(purgeExpiredAuth(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Bindings>;
