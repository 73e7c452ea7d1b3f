import { createMiddleware } from "hono/factory";
import { configOf, type Config } from "./config";
import { createDb, type Db } from "./db/client";
import type { AppEnv, Bindings } from "./env";
import { GithubClients, githubConfig } from "./github/client";
import { SecretBox } from "./lib/crypto";
import { embedderOf, type Embedder } from "./providers/embedder";
import type { Semantic } from "./search/search";
import { vectorStoreOf, type VectorStore } from "./vectors";

/**
 * Everything a handler or a Workflow step needs, built once from the bindings: per request
 * (`c.var.services`), and inside each `step.do` of a sync (a step may run in another isolate).
 */
export type Services = {
  config: Config;
  db: Db;
  secrets: SecretBox;
  github: GithubClients;
  /** The user vectors (`VECTOR_STORE`: Vectorize or D1), for semantic search. */
  vectors: VectorStore;
  /**
   * The deployment's embedding model, built on first use; null when `EMBEDDING_PROVIDER` is
   * none. Throws `not_configured` when it is set up wrong (the embed phase reports it).
   */
  embedder(): Embedder | null;
  /** The semantic half of search: the query embedded by `embedder`, matched in `vectors`; null for keyword-only. */
  semantic: Semantic | null;
  /** The Workers AI binding, for a chat or embedding model served by Workers AI. */
  ai: Ai;
  sessionTtlMs: number;
};

export function createServices(env: Bindings): Services {
  const config = configOf(env);
  const vectors = vectorStoreOf(env);
  let model: Embedder | undefined;
  const embedder = () => {
    if (config.embedding.provider === "none") return null;
    model ??= embedderOf(config, env.AI);
    return model;
  };
  return {
    config,
    db: createDb(env.DB),
    secrets: new SecretBox(config.tokenEncryptionKey),
    github: new GithubClients(githubConfig(env)),
    vectors,
    embedder,
    // A model that fails or is rate limited for one query makes that answer keyword-only
    // (worker/search/search.ts, `semanticRanking`).
    semantic:
      config.embedding.provider === "none"
        ? null
        : {
            model: embedder()!.key,
            embedQuery: async (text) => Array.from((await embedder()!.embedBatch([text]))[0]!),
            embedTexts: async (texts) => (await embedder()!.embedBatch(texts)).map((vector) => Array.from(vector)),
            store: vectors,
            fixedFloor: config.embedding.floor,
          },
    ai: env.AI,
    sessionTtlMs: config.sessionTtlMs,
  };
}

export const servicesMiddleware = createMiddleware<AppEnv>(async (c, next) => {
  c.set("services", createServices(c.env));
  await next();
});
