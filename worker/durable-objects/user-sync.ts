import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/**
 * One per user (`idFromName(String(userId))`): the sync lock and the live-progress
 * broadcaster (DESIGN §6–7). The lock and broadcasting arrive with the sync engine issue;
 * the foundation only needs the class to exist and to be erasable with its account.
 */
export class UserSync extends DurableObject<Bindings> {
  /** Forget everything this object stored (account deletion). */
  async deleteAll(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }
}
