import { describe, expect, it } from "vitest";
import { SearchResponse } from "../../shared/search";
import { createDb } from "../db/client";
import { createServices } from "../services";
import { BASE, env, signIn, workerFetch } from "../test/helpers";
import { seedLibraryItem } from "../test/library-seed";
import { vectorId, vectorStoreOf } from "../vectors";
import { userNamespace, type VectorStore } from "../vectors/store";
import { floorsOf, PROBES, semanticFloors } from "./floor";
import type { Semantic } from "./search";

describe("the relevance floor", () => {
  it("is the 90th percentile of the probes' best similarities or chance, the noise their median", () => {
    expect(floorsOf([])).toBeNull();
    expect(floorsOf([undefined, undefined])).toBeNull();
    // Off-topic sentences (the last 12 probes) score highest here: the 90th percentile of all 48 is 0.43.
    expect(floorsOf(PROBES.map((_, i) => i / 100))).toEqual({ floor: 0.43, noise: 0.23 });
    // Nearly every probe finds nothing (0), one string of random letters finds 0.04 by chance:
    // the 90th percentile alone (0) would let any such collision through.
    const chance = PROBES.map((_, i) => (i === 3 ? 0.04 : 0));
    expect(floorsOf(chance)).toEqual({ floor: 0.04, noise: 0 });
    // The probes: random letters and everyday sentences, in English and Chinese, always the same.
    expect(PROBES).toHaveLength(48);
    expect(new Set(PROBES).size).toBe(48);
    expect(PROBES.some((probe) => /\p{Script=Han}/u.test(probe))).toBe(true);
  });

  it("is worked out once per model and sync, kept on the user's row, and fixed by SEMANTIC_FLOOR", async () => {
    const { user } = await signIn("floor-kept", 0);
    const db = createDb(env.DB);
    let probed = 0;
    const scores = PROBES.map((_, i) => i / 100); // probe i's best similarity
    const store: VectorStore = {
      upsert: async () => {},
      delete: async () => {},
      query: async (_namespace, vector) => [{ id: "x", repositoryId: 1, score: vector[0]! }],
    };
    const semantic = (model: string): Semantic => ({
      model,
      embedQuery: async () => [0],
      embedTexts: async (texts) => {
        probed++;
        return texts.map((_, i) => [scores[i]!]);
      },
      store,
      fixedFloor: null,
    });
    expect(await semanticFloors(db, user.id, semantic("m1"), null)).toEqual({ floor: 0.43, noise: 0.23 });
    expect(await semanticFloors(db, user.id, semantic("m1"), null)).toEqual({ floor: 0.43, noise: 0.23 });
    expect(probed).toBe(1);
    const row = await env.DB.prepare(
      "select semantic_floor, semantic_noise, semantic_floor_key from users where id = ?",
    )
      .bind(user.id)
      .first();
    expect(row).toEqual({ semantic_floor: 0.43, semantic_noise: 0.23, semantic_floor_key: "m1@never" });
    // Another model, or a sync since: worked out again.
    await semanticFloors(db, user.id, semantic("m2"), null);
    expect(probed).toBe(2);
    await env.DB.prepare("update users set last_synced_at = 5 where id = ?").bind(user.id).run();
    await semanticFloors(db, user.id, semantic("m2"), null);
    expect(probed).toBe(3);
    expect(await semanticFloors(db, user.id, semantic("m3"), 0.42)).toEqual({ floor: 0.42, noise: 0.42 });
    expect(probed).toBe(3);
  });

  it("says no match for nonsense through the Worker, nothing related either; real words still match", async () => {
    const { sessionToken, user } = await signIn("floor-nonsense", 0);
    const add = seedLibraryItem.bind(null, user.id);
    await add({ fullName: "BurntSushi/ripgrep", description: "recursively searches directories for a regex pattern" });
    await add({ fullName: "honojs/hono", description: "Web framework built on Web Standards" });
    await add({ fullName: "tiangolo/fastapi", description: "FastAPI framework, high performance, easy to learn" });
    const rows = await env.DB.prepare(
      "select r.id, r.full_name, r.description from stars s join repositories r on r.id = s.repository_id " +
        "where s.user_id = ? order by r.id",
    )
      .bind(user.id)
      .all<{ id: number; full_name: string; description: string }>();
    const vectors = await createServices(env)
      .embedder()!
      .embedBatch(rows.results.map((row) => `${row.full_name}\n${row.description}`));
    await vectorStoreOf(env).upsert(
      userNamespace(user.id),
      rows.results.map((row, i) => ({ id: vectorId(user.id, row.id, 0), repositoryId: row.id, values: vectors[i]! })),
    );
    const search = async (q: string) => {
      const response = await workerFetch(`${BASE}/api/search?${new URLSearchParams({ q })}`, {
        headers: { Authorization: `Bearer ${sessionToken}` },
      });
      return SearchResponse.parse(await response.json());
    };
    const nonsense = await search("qwzxjv kvetch");
    expect(nonsense.mode).toBe("hybrid");
    expect(nonsense.items).toEqual([]);
    // The emulator's hashed vectors give unrelated text a similarity of 0: no better than noise.
    expect(nonsense.related).toEqual([]);
    const real = await search("web framework");
    expect(real.items.map((item) => item.fullName)[0]).toBe("honojs/hono");
    // FastAPI holds only "framework", which two of these three stars say (a third of the query's
    // information, in its description): below the keyword floor, related — not lost, not a match.
    expect([...real.items, ...real.related].map((item) => item.fullName)).toContain("tiangolo/fastapi");
  });
});
