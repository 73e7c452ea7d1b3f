import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// docs/architecture.md, habit 8: untrusted text (READMEs, AI output, repo names, logins) is
// never HTML. Preact escapes text; these are the ways around it.
const SINKS = [
  "innerHTML",
  "outerHTML",
  "insertAdjacentHTML",
  "dangerouslySetInnerHTML",
  "document.write",
  "createContextualFragment",
];
const SINK_PATTERN = new RegExp(SINKS.map((sink) => sink.replace(".", "\\.")).join("|"));

const thisFile = fileURLToPath(import.meta.url);
const root = dirname(thisFile);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|jsx|mjs|html)$/.test(entry.name) && path !== thisFile ? [path] : [];
  });
}

describe("extension source", () => {
  const files = sourceFiles(root);

  it("is scanned (the scan finds the popup)", () => {
    expect(files.map((file) => relative(root, file))).toContain(join("entrypoints", "popup", "App.tsx"));
  });

  it("never turns strings into HTML", () => {
    const offenders = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, index) =>
          SINK_PATTERN.test(line) ? [`${relative(root, file)}:${index + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offenders).toEqual([]);
  });

  it("would catch a sink (the pattern is not vacuous)", () => {
    for (const sink of SINKS) expect(SINK_PATTERN.test(`el.${sink} = x`)).toBe(true);
  });
});
