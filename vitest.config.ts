import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";
import { WxtVitest } from "wxt/testing/vitest-plugin";

// Three projects, one `vitest run`:
// - worker:    Worker code inside workerd (real D1 migrations, DOs, Workflows); the
//              emulators run as real HTTP servers started by globalSetup.
// - node:      the emulators, benchmark helpers and scripts, in Node.
// - extension: extension units with WXT's fakeBrowser and happy-dom.
// Browser end-to-end tests have their own config (e2e/vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            remoteBindings: false,
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                GITHUB_API_URL: inject<string>("githubUrl"),
                // AI analysis and embeddings through the AI emulator (an OpenAI-compatible endpoint on
                // 127.0.0.1, hence private URLs allowed), OpenRank through the OpenDigger emulator.
                EMBEDDING_PROVIDER: "openai-compatible",
                AI_BASE_URL: `${inject<string>("aiUrl")}/v1`,
                AI_API_KEY: "sk-emulator",
                CHAT_MODEL: "starwise-chat",
                AI_ALLOW_PRIVATE_URLS: "true",
                OPENDIGGER_URL: inject<string>("opendiggerUrl"),
                VECTOR_STORE: "d1",
                // A second between star changes on GitHub (worker/unstar/pace.ts); tests need not wait it.
                STAR_WRITE_SPACING_MS: "20",
                TOKEN_ENCRYPTION_KEY: "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTAxMjM=",
              },
              // An empty second database, for tests that apply the migrations one by one
              // (worker/db/migrations.test.ts); DB has them all already (worker/test/apply-migrations.ts).
              d1Databases: { MIGRATION_DB: "migration-test" },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["worker/**/*.test.ts"],
          // A sync now analyses, ranks and embeds what it lists (through the emulators): a 50-star
          // sync test takes seconds, more on a busy 2-core machine.
          testTimeout: 30_000,
          globalSetup: ["./worker/test/global-setup.ts"],
          setupFiles: ["./worker/test/apply-migrations.ts"],
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["emulators/**/*.test.ts", "bench/**/*.test.ts", "shared/**/*.test.ts", "scripts/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [WxtVitest(), preact()],
        test: {
          name: "extension",
          environment: "happy-dom",
          include: ["extension/**/*.test.{ts,tsx}"],
        },
      },
    ],
  },
});
