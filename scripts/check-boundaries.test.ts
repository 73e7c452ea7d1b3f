import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  check,
  checkLineLengths,
  findViolations,
  importsOf,
  knownViolations,
  longLines,
  MAX_LINE_LENGTH,
  sourceFiles,
  trackedSources,
} from "./check-boundaries.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const violations = (files: Record<string, string>) =>
  findViolations(new Map(Object.entries(files))).map((v) => `${v.file}:${v.line} -> ${v.imported}`);

describe("check-boundaries", () => {
  it("finds no violation in the checkout beyond the known ones, and every known one still occurs", () => {
    const { violations, stale } = check(sourceFiles(root));
    expect(violations).toEqual([]);
    expect(stale).toEqual([]);
  });

  it("shared/ may not import worker/ or extension/, not even the type AppType", () => {
    expect(
      violations({
        "shared/client.ts": 'import type { AppType } from "../worker/app";\nimport { app } from "../worker/app";',
        "shared/api.ts": 'import type { AppType } from "../worker/app";',
        "shared/events.ts": 'export * from "../worker/lib/errors";',
        "shared/repositories.ts": 'type S = import("../extension/lib/storage").Stored;',
        "shared/search.ts": 'import { z } from "zod";\nimport { ErrorCode } from "./errors";',
      }),
    ).toEqual([
      "shared/client.ts:1 -> worker/app",
      "shared/client.ts:2 -> worker/app",
      "shared/api.ts:1 -> worker/app",
      "shared/events.ts:1 -> worker/lib/errors",
      "shared/repositories.ts:1 -> extension/lib/storage",
    ]);
  });

  it("a route may not import another route; its own test and worker/library are fine", () => {
    expect(
      violations({
        "worker/routes/export.ts":
          'import { selectLibrary } from "./repositories";\nimport { toRepositoryItem } from "../library/query";',
        "worker/routes/repositories.test.ts": 'import { encodeCursor } from "./repositories";',
        "worker/routes/me.ts": 'const { syncRoutes } = await import("./sync.ts");',
      }),
    ).toEqual([
      "worker/routes/export.ts:1 -> worker/routes/repositories",
      "worker/routes/me.ts:1 -> worker/routes/sync",
    ]);
  });

  it("worker/lib may not import the routes, the sync or the Durable Objects", () => {
    expect(
      violations({
        "worker/lib/github-token.ts":
          'import { tokenContext } from "../routes/auth";\nimport { runWrites } from "../sync/store";\n' +
          'import type { UserSync } from "../durable-objects/user-sync";\nimport { createDb } from "../db/client";',
      }),
    ).toEqual([
      "worker/lib/github-token.ts:1 -> worker/routes/auth",
      "worker/lib/github-token.ts:2 -> worker/sync/store",
      "worker/lib/github-token.ts:3 -> worker/durable-objects/user-sync",
    ]);
  });

  it("the Durable Object and the Workflow may not import each other's modules, not even types", () => {
    expect(
      violations({
        "worker/durable-objects/user-sync.ts":
          'import type { SyncParams } from "../sync/sync-workflow";\n' +
          'import type { SyncParams as P } from "../lib/sync-run";',
        "worker/sync/schedule.ts": 'import { userSync } from "../durable-objects/user-sync";',
        "worker/sync/sync.test.ts": 'const { userSync } = await import("../durable-objects/user-sync");',
      }),
    ).toEqual([
      "worker/durable-objects/user-sync.ts:1 -> worker/sync/sync-workflow",
      "worker/sync/schedule.ts:1 -> worker/durable-objects/user-sync",
    ]);
  });

  it("tells type-only imports from value imports", () => {
    const imports = importsOf(
      "shared/x.ts",
      'import type { A } from "./a";\nimport { type B } from "./b";\nimport { type C, D } from "./c";\n' +
        'import E from "./e";\nexport type { F } from "./f";\nimport "./g";',
    );
    expect(imports.map((i) => [i.target, i.typeOnly])).toEqual([
      ["shared/a", true],
      ["shared/b", true],
      ["shared/c", false],
      ["shared/e", false],
      ["shared/f", true],
      ["shared/g", false],
    ]);
  });

  it(`fails on a line over ${MAX_LINE_LENGTH} characters (not bytes) and passes one of ${MAX_LINE_LENGTH}`, () => {
    const short = `const s = "${"x".repeat(MAX_LINE_LENGTH - 13)}";`;
    const long = `const s = "${"x".repeat(MAX_LINE_LENGTH - 12)}";`;
    expect([...short]).toHaveLength(MAX_LINE_LENGTH);
    const files = new Map([
      ["worker/ok.ts", `${short}\n// ${"汉".repeat(MAX_LINE_LENGTH - 3)}\r\nexport {};\n`],
      ["extension/long.tsx", `export {};\n${long}\n`],
    ]);
    expect(longLines(files)).toEqual([{ file: "extension/long.tsx", line: 2, length: MAX_LINE_LENGTH + 1 }]);
    expect(checkLineLengths(new Map([["worker/ok.ts", short]])).long).toEqual([]);
    // An allowed file may keep its long lines; one that has none left is reported.
    const allowed = [
      { file: "extension/long.tsx", why: "test" },
      { file: "worker/ok.ts", why: "test" },
    ];
    expect(checkLineLengths(files, allowed)).toEqual({ long: [], stale: [{ file: "worker/ok.ts", why: "test" }] });
  });

  it("checks every TypeScript and JavaScript file git tracks, but the generated worker-configuration.d.ts", () => {
    const tracked = trackedSources(root);
    expect(tracked.has("scripts/check-boundaries.ts")).toBe(true);
    expect(tracked.has("extension/entrypoints/newtab/App.tsx")).toBe(true);
    expect(tracked.has("worker/worker-configuration.d.ts")).toBe(false);
  });

  it("reports a known exception that no longer occurs, so the list only shrinks", () => {
    const known = knownViolations[0];
    if (!known) return;
    const files = sourceFiles(root);
    files.set(known.file, "export {};");
    expect(check(files).stale).toContainEqual(known);
  });
});
