import type { Config } from "../config";
import type { Bindings } from "../env";

// What the user's Durable Object and the sync Workflow both need, kept below both so
// neither imports the other's module (docs/architecture.md): the object starts a run with
// these parameters, and the run publishes its progress to the object.

/** The payload of one sync run (one Workflow instance). */
export type SyncParams = {
  userId: number;
  trigger: "manual" | "auto";
  /** Overrides SYNC_STRATEGY for this run (tests and benchmarks compare strategies). */
  strategy?: Config["syncStrategy"];
};

/** The Durable Object of one user (`idFromName(String(userId))`): the sync lock and its progress. */
export function userSync(env: Pick<Bindings, "USER_SYNC">, userId: number) {
  return env.USER_SYNC.get(env.USER_SYNC.idFromName(String(userId)));
}
