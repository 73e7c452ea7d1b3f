import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { features } from "./index";

describe("the feature list", () => {
  it("registers every feature file, under its file name, once", () => {
    const files = readdirSync(dirname(fileURLToPath(import.meta.url)))
      .filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && name !== "index.ts")
      .map((name) => name.replace(/\.tsx?$/, ""))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(features.map((feature) => feature.id).sort()).toEqual(files);
    expect(new Set(features.map((feature) => feature.id)).size).toBe(features.length);
    for (const feature of features) expect(feature.include.length, feature.id).toBeGreaterThan(0);
  });
});
