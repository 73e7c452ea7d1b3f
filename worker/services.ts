import { createMiddleware } from "hono/factory";
import { configOf, type Config } from "./config";
import { createDb, type Db } from "./db/client";
import type { AppEnv, Bindings } from "./env";
import { GithubClients, githubConfig } from "./github/client";
import { SecretBox } from "./lib/crypto";
import { vectorStoreOf, type VectorStore } from "./vectors";

/**
 * Everything a handler or a Workflow step needs, built once from the bindings: per request
 * (`c.var.services`), and inside each `step.do` of a sync (a step may run in another isolate).
 */
export type Services = {
  config: Config;
  db: Db;
  /** The raw binding, for the few statements drizzle's batch API does not express (worker/sync/store.ts). */
  d1: D1Database;
  secrets: SecretBox;
  github: GithubClients;
  /** The user vectors (`VECTOR_STORE`: Vectorize or D1), for semantic search. */
  vectors: VectorStore;
  sessionTtlMs: number;
};

export function createServices(env: Bindings): Services {
  const config = configOf(env);
  return {
    config,
    db: createDb(env.DB),
    d1: env.DB,
    secrets: new SecretBox(config.tokenEncryptionKey),
    github: new GithubClients(githubConfig(env)),
    vectors: vectorStoreOf(env),
    sessionTtlMs: config.sessionTtlMs,
  };
}

export const servicesMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  c.set("services", createServices(c.env));
  await next();
});
