import { createMiddleware } from "hono/factory";
import { configOf } from "./config";
import { createDb, type Db } from "./db/client";
import type { AppEnv, Bindings } from "./env";
import { GithubClients, githubConfig } from "./github/client";
import { SecretBox } from "./lib/crypto";
import { vectorStoreOf, type VectorStore } from "./vectors";

/** Everything a handler needs, built once per request from the bindings (read from `c.var.services`). */
export type Services = {
  db: Db;
  secrets: SecretBox;
  github: GithubClients;
  /** The user vectors (`VECTOR_STORE`: Vectorize or D1), for semantic search. */
  vectors: VectorStore;
  sessionTtlMs: number;
};

export function createServices(env: Bindings): Services {
  const config = configOf(env);
  return {
    db: createDb(env.DB),
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
