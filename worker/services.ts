import { createMiddleware } from "hono/factory";
import { createDb, type Db } from "./db/client";
import type { AppEnv, Bindings } from "./env";
import { GithubClient, githubConfig } from "./github/client";
import { SecretBox } from "./lib/crypto";

/** Everything a handler needs, built once per request from the bindings (read from `c.var.services`). */
export type Services = {
  db: Db;
  secrets: SecretBox;
  github: GithubClient;
  sessionTtlMs: number;
};

export function createServices(env: Bindings): Services {
  const ttlDays = Number(env.SESSION_TTL_DAYS ?? 90);
  return {
    db: createDb(env.DB),
    secrets: new SecretBox(env.TOKEN_ENCRYPTION_KEY),
    github: new GithubClient(githubConfig(env)),
    sessionTtlMs: (Number.isFinite(ttlDays) && ttlDays > 0 ? ttlDays : 90) * 86_400_000,
  };
}

export const servicesMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  c.set("services", createServices(c.env));
  await next();
});
