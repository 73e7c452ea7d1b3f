import type { Services } from "./services";
import type { SessionUser } from "./lib/auth";

/** Bindings and vars from wrangler.toml, secrets from `wrangler secret put` / .dev.vars. */
export type Bindings = {
  DB: D1Database;
  USER_SYNC: DurableObjectNamespace<import("./durable-objects/user-sync").UserSync>;
  SYNC_WORKFLOW: Workflow;
  VECTORIZE?: VectorizeIndex;
  AI?: Ai;
  GITHUB_API_URL: string;
  GITHUB_GRAPHQL_URL?: string;
  OPENDIGGER_URL: string;
  AI_BASE_URL?: string;
  SYNC_STRATEGY?: string;
  EMBEDDING_PROVIDER?: string;
  EMBEDDING_MODEL?: string;
  EMBEDDING_DIMENSIONS?: string;
  VECTOR_STORE?: string;
  SESSION_TTL_DAYS?: string;
  /** base64 of 32 random bytes: the AES-GCM key for GitHub tokens and API keys at rest. */
  TOKEN_ENCRYPTION_KEY?: string;
  AI_API_KEY?: string;
};

export type Variables = {
  services: Services;
  /** Set by `requireSession` on every /api route outside /api/auth. */
  user: SessionUser;
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };

declare global {
  // `import { env } from "cloudflare:workers"` and the test helpers see the same bindings.
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS?: import("@cloudflare/vitest-plugin").D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("./index");
      durableNamespaces: "UserSync";
    }
  }
}
