import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// `npx vitest run --config bench/vectors.vitest.config.ts [file]`: measurements inside workerd
// against local D1 with the real migrations (the Worker tests' setup, without the emulators: no
// network is involved) — the D1 vector store's query time at 10,000–40,000 vectors
// (worker/vectors/d1-store.measure.ts), the embed step at 10,000 stars (worker/enrich/embed.measure.ts) and the
// digest's Atom feed of 10,000 stars (worker/library/feed.measure.ts).
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      remoteBindings: false,
      miniflare: { bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations"), VECTOR_STORE: "d1" } },
    })),
  ],
  test: {
    name: "bench-vectors",
    include: ["worker/**/*.measure.ts"],
    setupFiles: ["./worker/test/apply-migrations.ts"],
    testTimeout: 1_800_000,
  },
});
