// The user's single-use socket tickets, apart from the lock: kept where their socket is accepted, so redeeming one is
// one step (docs/architecture.md §5).
import type { StreamSession } from "../lib/sync-run";
import { deleteKeys } from "./storage-batch";

/** At most this many unredeemed socket tickets per user; the oldest go first. */
const MAX_TICKETS = 20;

const ticketKey = (hash: string) => `ticket:${hash}`;

export type Ticket = { session: StreamSession; expiresAt: number };

/**
 * Tickets live here rather than in D1: the socket they open is accepted by this object, so
 * redeeming one is a single step of a single-threaded object (single use without a
 * transaction), costs no D1 write, and a revoked session's tickets go with its streams in
 * the same call. Only the ticket's hash is kept.
 */
export class SocketTickets {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  /**
   * Keeps a ticket until it expires. Expired tickets are dropped here, and beyond
   * MAX_TICKETS the oldest: tickets are cheap to ask for.
   */
  async add(ticketHash: string, ticket: Ticket): Promise<void> {
    const now = Date.now();
    const stored = [...(await this.#storage.list<Ticket>({ prefix: "ticket:" })).entries()];
    const gone = stored.filter(([, t]) => t.expiresAt <= now).map(([key]) => key);
    const live = stored.filter(([, t]) => t.expiresAt > now).sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
    gone.push(...live.slice(0, Math.max(0, live.length - (MAX_TICKETS - 1))).map(([key]) => key));
    await deleteKeys(this.#storage, gone);
    await this.#storage.put(ticketKey(ticketHash), ticket);
  }

  /**
   * The session of the ticket whose hash this is, or null when it is unknown or expired (or
   * its session is). Single use: the object's input gate holds other requests while the
   * ticket is read, and it is deleted in the same turn, so a second redemption finds nothing.
   */
  async redeem(ticketHash: string | null): Promise<StreamSession | null> {
    if (!ticketHash) return null;
    const ticket = await this.#storage.get<Ticket>(ticketKey(ticketHash));
    if (!ticket) return null;
    await this.#storage.delete(ticketKey(ticketHash));
    const now = Date.now();
    return ticket.expiresAt > now && ticket.session.expiresAt > now ? ticket.session : null;
  }

  /** Forgets the unredeemed tickets of these sessions (they were revoked). */
  async forgetSessions(tokenHashes: ReadonlySet<string>): Promise<void> {
    const tickets = await this.#storage.list<Ticket>({ prefix: "ticket:" });
    await deleteKeys(
      this.#storage,
      [...tickets].filter(([, t]) => tokenHashes.has(t.session.tokenHash)).map(([key]) => key),
    );
  }
}
