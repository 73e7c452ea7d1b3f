import { lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { signInAttempts } from "../db/schema";
import { sha256Hex } from "./crypto";
import { ApiError } from "./errors";
import { countInWindows } from "./throttle";

/**
 * Sign-in throttle (docs/architecture.md §3, "Sessions"). Each sign-in asks GitHub `GET /user`
 * with the token it was given, so unthrottled sign-ins are a free proxy to GitHub (testing
 * stolen tokens from our address) and a way to burn a user's GitHub budget. Counted in
 * fixed windows in D1 (worker/lib/throttle.ts), so every isolate sees the same count.
 */
export const SIGN_IN_WINDOW_MS = 10 * 60_000;
/** Per GitHub token: a person signs in on a few devices, not ten times in ten minutes. */
export const SIGN_IN_LIMIT_PER_TOKEN = 10;
/** Per client address: generous for a shared office or CGNAT address; stops one client cycling through tokens. */
export const SIGN_IN_LIMIT_PER_CLIENT = 60;

/**
 * Counts this attempt against the GitHub token and the client, and throws 429
 * `rate_limited` (with Retry-After) when either is over its limit. Counted before GitHub is
 * asked, successful or not. `clientAddress` is Cloudflare's `CF-Connecting-IP` (set by the
 * edge, not the client); without one (tests, a local runtime) only the token is counted.
 */
export async function throttleSignIn(
  db: Db,
  githubToken: string,
  clientAddress: string | null,
  now = Date.now(),
): Promise<void> {
  const keys: Array<{ key: string; limit: number }> = [
    { key: `token:${await sha256Hex(githubToken)}`, limit: SIGN_IN_LIMIT_PER_TOKEN },
  ];
  if (clientAddress) keys.push({ key: `client:${clientKey(clientAddress)}`, limit: SIGN_IN_LIMIT_PER_CLIENT });

  const retryAfterMs = await countInWindows(db, keys, SIGN_IN_WINDOW_MS, now);
  if (retryAfterMs > 0) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    throw new ApiError("rate_limited", `Too many sign-in attempts: try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

/** Forgets windows that are over (the cron). */
export async function purgeSignInAttempts(db: Db, now = Date.now()): Promise<number> {
  const deleted = await db
    .delete(signInAttempts)
    .where(lte(signInAttempts.windowStart, new Date(now - SIGN_IN_WINDOW_MS)))
    .returning({ key: signInAttempts.key });
  return deleted.length;
}

/**
 * IPv4 as is; IPv6 by its /64, which one subscriber usually holds whole and can rotate
 * addresses within at will. Anything else is counted as the text it is.
 */
export function clientKey(address: string): string {
  const text = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped) return mapped[1]!;
  if (!text.includes(":") || !/^[0-9a-f:]+$/.test(text) || text.split("::").length > 2) return text;
  const [head = "", tail = ""] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = text.includes("::") && tail ? tail.split(":") : [];
  const zeros = text.includes("::") ? Math.max(0, 8 - headGroups.length - tailGroups.length) : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
