import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes flat NNNN_name.sql files that wrangler and the tests read.
// FTS5 is not expressible in drizzle: it lives in a hand-written (`--custom`) migration.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema/index.ts",
  out: "./migrations",
});
