import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { userNamespace } from "../vectors/store";
import type { Semantic } from "./search";

/**
 * The relevance floor of the semantic ranking (docs/architecture.md §7, "No match"). A nearest
 * vector is always *some* distance away, so without a floor every query — "qwzxjv kvetch"
 * included — "matches" a full page. A model's similarities have no absolute meaning (BGE's
 * authors: compare them with what the same model gives your own data), so the floor is derived,
 * not chosen: probe texts that are about nothing in anyone's stars (random letters, and
 * everyday sentences far from software) are embedded by the deployment's model and asked of
 * this user's library. A semantic-only hit is a match only above the floor: the 90th percentile
 * of their best similarities, and never below the best that random letters reached (what chance
 * gives: a hashed or subword model finds something in any string). Scoring no better, it is
 * related at best. "Related" too has a floor, their median (the noise): a neighbour no better than typical
 * nonsense is not shown at all.
 *
 * Both are worked out per user, model and library state (the user's last sync) on the first
 * search that needs them, and kept on the user's row (`semantic_floor`, `semantic_noise`,
 * `semantic_floor_key`): one embedding call of the probes and one vector query each, then one
 * small read a search. `SEMANTIC_FLOOR` fixes the floor for a deployment instead (a value
 * measured for its model; the noise is then the floor too: nothing is "related").
 */

/** Everyday text with no place in a library of software: the model's idea of "unrelated". */
const OFF_TOPIC = [
  "how long to boil an egg so the yolk stays soft",
  "the weather tomorrow will be rainy with strong wind in the afternoon",
  "my grandmother's apple pie recipe with cinnamon",
  "which team won the football match last night",
  "best time of year to plant tulip bulbs in the garden",
  "a poem about the sea at dawn and the gulls above the harbour",
  "cheap flights to lisbon in early spring",
  "how to remove a red wine stain from a white carpet",
  "明天的天气会下雨，下午有大风",
  "外婆做的红烧肉怎么做才好吃",
  "周末去公园放风筝和野餐",
  "这首诗写的是秋天的落叶和思念",
];

/** Strings of random letters (a fixed seed, so every deployment probes with the same ones). */
function randomWords(count: number, seed = 20261206): string[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const word = () =>
    Array.from({ length: 4 + Math.floor(next() * 6) }, () => letters[Math.floor(next() * 26)]).join("");
  return Array.from({ length: count }, () => `${word()} ${word()}`);
}

/** Chance's best is the tail of a distribution: three dozen samples of it, one embedding call. */
const NONSENSE = randomWords(36);
export const PROBES: readonly string[] = [...NONSENSE, ...OFF_TOPIC];

/** Above `floor` a match, above `noise` related (cosine similarities); null = no vectors to compare with. */
export type Floors = { floor: number; noise: number };

/**
 * The floors from each probe's best similarity (`similarities[i]` for PROBES[i], undefined when the
 * library had none): the floor is their 90th percentile (nearest rank) or the best of the random
 * letters, whichever is higher; the noise their median.
 */
export function floorsOf(similarities: ReadonlyArray<number | undefined>): Floors | null {
  const found = similarities.filter((score): score is number => score !== undefined);
  if (found.length === 0) return null;
  const sorted = [...found].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const chance = Math.max(
    ...similarities.slice(0, NONSENSE.length).filter((score): score is number => score !== undefined),
    Number.NEGATIVE_INFINITY,
  );
  return { floor: Math.max(at(0.9), chance), noise: at(0.5) };
}

/**
 * This user's floors for the deployment's model: kept, or worked out now and kept. Null when the
 * library has no vectors yet (nothing to compare with: every neighbour is a match).
 */
export async function semanticFloors(
  db: Db,
  userId: number,
  semantic: Semantic,
  fixed: number | null,
): Promise<Floors | null> {
  if (fixed !== null) return { floor: fixed, noise: fixed };
  const [row] = await db
    .select({
      floor: users.semanticFloor,
      noise: users.semanticNoise,
      key: users.semanticFloorKey,
      syncedAt: users.lastSyncedAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) return null;
  const key = `${semantic.model}@${row.syncedAt?.getTime() ?? "never"}`;
  if (row.key === key) return row.floor === null || row.noise === null ? null : { floor: row.floor, noise: row.noise };
  const vectors = await semantic.embedTexts(PROBES);
  const namespace = userNamespace(userId);
  const best = await Promise.all(
    vectors.map(async (vector) => (await semantic.store.query(namespace, vector, 1))[0]?.score),
  );
  const floors = floorsOf(best);
  await db
    .update(users)
    .set({ semanticFloor: floors?.floor ?? null, semanticNoise: floors?.noise ?? null, semanticFloorKey: key })
    .where(eq(users.id, userId));
  return floors;
}
