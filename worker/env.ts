import type { Services } from "./services";
import type { SessionUser } from "./lib/auth";

/**
 * Bindings, vars and secrets, as `npm run types` (`wrangler types`) generates them from
 * wrangler.toml into worker-configuration.d.ts (secret names from .dev.vars.example).
 * Vars arrive as strings and may be unset: read them through `configOf(env)`
 * (worker/config.ts), which parses them once.
 */
export type Bindings = WorkerBindings;

export type Variables = {
  services: Services;
  /** Set by `requireSession` on every /api route outside /api/auth. */
  user: SessionUser;
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };

declare global {
  // `import { env } from "cloudflare:workers"` and the test helpers see the generated
  // bindings (worker-configuration.d.ts declares Cloudflare.Env and GlobalProps) plus
  // what vitest.config.ts adds for the tests.
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS?: import("@cloudflare/vitest-plugin").D1Migration[];
      /** An empty D1 for the migration tests (worker/db/migrations.test.ts). */
      MIGRATION_DB?: D1Database;
    }
  }
}
