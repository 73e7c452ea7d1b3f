import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// The real migrations from migrations/, applied to each test file's isolated D1.
if (!env.TEST_MIGRATIONS) throw new Error("TEST_MIGRATIONS binding missing (see vitest.config.ts)");
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
