import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSearchVariants, parseVariants, VariantError, workerVarNames, type VarRules } from "./variants.ts";

const rules: VarRules = {
  known: new Set(["PACER_SIZING", "ANALYSIS_CONCURRENCY", "GITHUB_API_URL", "EMBEDDING_MODEL"]),
  reserved: new Map([["GITHUB_API_URL", "the GitHub emulator"]]),
};
const parse = (flag: string) => parseVariants(flag, rules);
const refusal = (flag: string) => {
  try {
    parse(flag);
  } catch (error) {
    if (error instanceof VariantError) return error.message;
    throw error;
  }
  throw new Error(`"${flag}" was accepted`);
};

describe("bench:sync --variants", () => {
  it("reads the Worker as it ships, the Worker with vars, and the seed", () => {
    expect(parse("starwise,seed")).toEqual([
      { kind: "starwise", name: "starwise", vars: {} },
      { kind: "seed", name: "seed" },
    ]);
    expect(parse(" starwise , starwise[PACER_SIZING=halve] ,seed")[1]).toEqual({
      kind: "starwise",
      name: "starwise[PACER_SIZING=halve]",
      vars: { PACER_SIZING: "halve" },
    });
    // Commas inside the brackets belong to a value; the name is printed as the vars were given.
    expect(parse("starwise[ PACER_SIZING = halve ; EMBEDDING_MODEL=a,b ]")).toEqual([
      {
        kind: "starwise",
        name: "starwise[PACER_SIZING=halve;EMBEDDING_MODEL=a,b]",
        vars: { PACER_SIZING: "halve", EMBEDDING_MODEL: "a,b" },
      },
    ]);
  });

  it("says what is wrong with a bad value", () => {
    expect(refusal("rest-pages,seed")).toMatch(/unknown variant "rest-pages"/);
    expect(refusal("starwise,,seed")).toMatch(/empty variant/);
    expect(refusal("starwise,")).toMatch(/empty variant/);
    expect(refusal("seed[PACER_SIZING=halve]")).toMatch(/takes no vars/);
    expect(refusal("starwise[]")).toMatch(/sets no var/);
    expect(refusal("starwise[PACER_SIZING=halve")).toMatch(/never closed/);
    expect(refusal("starwise]")).toMatch(/without its "\["/);
    expect(refusal("starwise[PACER_SIZING]")).toMatch(/"PACER_SIZING" is not VAR=value/);
    expect(refusal("starwise[pacer_sizing=halve]")).toMatch(/no var "pacer_sizing" \(did you mean PACER_SIZING\?\)/);
    expect(refusal("starwise[SYNC_STRATEGY=rest]")).toMatch(
      /no var "SYNC_STRATEGY" \(wrangler.toml \[vars\]: PACER_SIZING, ANALYSIS_CONCURRENCY, EMBEDDING_MODEL\)/,
    );
    expect(refusal("starwise[GITHUB_API_URL=https://api.github.com]")).toMatch(
      /set by the benchmark itself \(the GitHub emulator\)/,
    );
    expect(refusal("starwise[PACER_SIZING=]")).toMatch(/no value/);
    expect(refusal("starwise[PACER_SIZING=halve;PACER_SIZING=spread]")).toMatch(/set twice/);
    expect(refusal("starwise[PACER_SIZING=halve;;]")).toMatch(/empty var/);
    expect(refusal("seed,starwise,seed")).toMatch(/"seed" is named twice/);
  });

  it("knows the Worker's vars from wrangler.toml", () => {
    const names = workerVarNames(readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8"));
    expect(names.has("GITHUB_API_URL")).toBe(true);
    expect(names.has("SESSION_TTL_DAYS")).toBe(true);
    expect(workerVarNames('name = "x"\n[vars]\nA = "1"\n# B = "2"\n\n[[d1_databases]]\nbinding = "DB"\n')).toEqual(
      new Set(["A"]),
    );
  });
});

describe("bench:search --variants", () => {
  it("reads keyword-only and hybrid, each with vars of its own", () => {
    expect(parseSearchVariants("keyword, hybrid ,hybrid[PACER_SIZING=halve]", rules)).toEqual([
      { mode: "keyword", name: "keyword", vars: {} },
      { mode: "hybrid", name: "hybrid", vars: {} },
      { mode: "hybrid", name: "hybrid[PACER_SIZING=halve]", vars: { PACER_SIZING: "halve" } },
    ]);
    const refusal = (flag: string) => () => parseSearchVariants(flag, rules);
    expect(refusal("starwise")).toThrow(/unknown variant "starwise"/);
    expect(refusal("hybrid,hybrid")).toThrow(/named twice/);
    expect(refusal("hybrid[GITHUB_API_URL=x]")).toThrow(/set by the benchmark itself/);
  });
});
