// `npm run lint`: the import boundaries of docs/architecture.md, checked. Data flows one
// way (GitHub → worker/sync → D1 → routes → shared/ contract → extension), so:
// - shared/ imports nothing from worker/ or extension/, not even a type (the Worker's tests
//   keep Hono's typed client, worker/test/api-client.ts);
// - a route never imports another route (shared code lives in worker/library/ or worker/lib/);
// - worker/lib/ imports nothing from the routes, the sync or the Durable Objects;
// - the Durable Object and the sync Workflow do not import each other's modules (what both
//   need, the run's parameters and the object's stub, lives in worker/lib/sync-run.ts).
// Tests are exempt from the worker rules: a test drives whatever it tests.
// It also checks that no line of git's TypeScript and JavaScript files is longer than 120
// characters: the formatter wraps code at that width, but not strings or comments.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

export type Violation = { file: string; line: number; imported: string; rule: string };

type Import = { specifier: string; target: string | null; typeOnly: boolean; line: number };

type Rule = {
  name: string;
  /** Whether `file` importing `target` (both repository-relative, no extension) breaks the rule. */
  breaks(file: string, target: string, typeOnly: boolean): boolean;
};

const isTest = (file: string) => /\.test$/.test(file) || file.startsWith("worker/test/");
const under = (file: string, dir: string) => file.startsWith(`${dir}/`);
const routeOf = (file: string) => file.replace(/\.test$/, "");

export const rules: Rule[] = [
  {
    name: "shared/ imports nothing from worker/ or extension/, not even a type",
    breaks: (file, target) => under(file, "shared") && (under(target, "worker") || under(target, "extension")),
  },
  {
    name: "a route does not import another route",
    breaks: (file, target) =>
      !isTest(file) &&
      under(file, "worker/routes") &&
      under(target, "worker/routes") &&
      routeOf(target) !== routeOf(file),
  },
  {
    name: "worker/lib imports nothing from worker/routes, worker/sync or worker/durable-objects",
    breaks: (file, target) =>
      !isTest(file) &&
      under(file, "worker/lib") &&
      ["worker/routes", "worker/sync", "worker/durable-objects"].some((dir) => under(target, dir)),
  },
  {
    name: "the Durable Object and the sync Workflow do not import each other's modules",
    breaks: (file, target) =>
      !isTest(file) &&
      ((under(file, "worker/durable-objects") && under(target, "worker/sync")) ||
        (under(file, "worker/sync") && under(target, "worker/durable-objects"))),
  },
];

/**
 * Imports that break a rule today, in files whose owner is changing them (each with why
 * and when it was found). The check fails on any other, and on an entry that no longer
 * occurs, so the list only shrinks.
 */
export const knownViolations: Array<{ file: string; imported: string; why: string }> = [];

/** Every import of one source file: static, re-exports, `import("…")` types and dynamic imports. */
export function importsOf(file: string, source: string): Import[] {
  const sf = ts.createSourceFile(
    file,
    source,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    found.push({ specifier: specifier.text, target: resolve(file, specifier.text), typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** A relative specifier as a repository path without extension; packages and aliases are null. */
function resolve(file: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const path = normalize(join(dirname(file), specifier)).replaceAll("\\", "/");
  return path.replace(/\.(d\.)?[cm]?[jt]sx?$/, "").replace(/\/index$/, "");
}

/** The violations in a set of source files (repository-relative path → text). */
export function findViolations(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [path, source] of files) {
    const file = path.replace(/\.[cm]?[jt]sx?$/, "");
    for (const imported of importsOf(path, source)) {
      if (!imported.target) continue;
      for (const rule of rules) {
        if (rule.breaks(file, imported.target, imported.typeOnly)) {
          violations.push({ file: path, line: imported.line, imported: imported.target, rule: rule.name });
        }
      }
    }
  }
  return violations;
}

/** Checks the checkout: violations not on the known list, and known entries that no longer occur. */
export function check(files: ReadonlyMap<string, string>): { violations: Violation[]; stale: typeof knownViolations } {
  const all = findViolations(files);
  const isKnown = (v: Violation) => knownViolations.some((k) => k.file === v.file && k.imported === v.imported);
  return {
    violations: all.filter((v) => !isKnown(v)),
    stale: knownViolations.filter((k) => !all.some((v) => v.file === k.file && v.imported === k.imported)),
  };
}

/** The TypeScript sources under the checked folders (generated declaration files aside). */
export function sourceFiles(root: string, dirs = ["shared", "worker"]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.set(path, readFileSync(join(root, path), "utf8"));
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}

/** The longest line allowed, in characters: biome.jsonc's `lineWidth`. */
export const MAX_LINE_LENGTH = 120;

/** Generated, and checked byte for byte against what generates it (`npm run types -- --check`). */
const GENERATED = ["worker/worker-configuration.d.ts"];

/**
 * Files that may keep lines over MAX_LINE_LENGTH (repository paths, each with why): data that
 * must stay byte for byte and cannot be split, such as a recorded blob. The check fails on an
 * entry whose file no longer has a long line, so the list only shrinks.
 */
export const longLinesAllowed: Array<{ file: string; why: string }> = [];

export type LongLine = { file: string; line: number; length: number };

/**
 * The lines over `max` characters in a set of files (repository-relative path → text). A
 * character is a code point: 汉 or 🦀 counts one, as a reader sees it (mawk and `wc -c` count bytes).
 */
export function longLines(files: ReadonlyMap<string, string>, max = MAX_LINE_LENGTH): LongLine[] {
  const found: LongLine[] = [];
  for (const [file, text] of files) {
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      const length = [...line].length;
      if (length > max) found.push({ file, line: i + 1, length });
    }
  }
  return found;
}

/** Checks line lengths: long lines outside the allowed files, and allowed files that have none. */
export function checkLineLengths(
  files: ReadonlyMap<string, string>,
  allowed: ReadonlyArray<{ file: string; why: string }> = longLinesAllowed,
): { long: LongLine[]; stale: Array<{ file: string; why: string }> } {
  const all = longLines(files);
  return {
    long: all.filter((l) => !allowed.some((a) => a.file === l.file)),
    stale: allowed.filter((a) => !all.some((l) => l.file === a.file)),
  };
}

/** Every TypeScript and JavaScript file git tracks (generated ones aside), as it is in the work tree. */
export function trackedSources(root: string): Map<string, string> {
  const listed = execFileSync("git", ["ls-files", "-z", "--", "*.ts", "*.tsx", "*.mjs", "*.js"], {
    cwd: root,
    encoding: "utf8",
  });
  const files = new Map<string, string>();
  for (const path of listed.split("\0")) {
    // A file deleted in the work tree but not yet in the index has nothing left to check.
    if (!path || GENERATED.includes(path) || !existsSync(join(root, path))) continue;
    files.set(path, readFileSync(join(root, path), "utf8"));
  }
  return files;
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const files = sourceFiles(root);
  const { violations, stale } = check(files);
  for (const v of violations) console.error(`${v.file}:${v.line}: imports ${v.imported}: ${v.rule}`);
  for (const k of stale)
    console.error(
      `scripts/check-boundaries.ts: ${k.file} no longer imports ${k.imported}: remove it from knownViolations`,
    );
  const tracked = trackedSources(root);
  const lines = checkLineLengths(tracked);
  for (const l of lines.long) console.error(`${l.file}:${l.line}: ${l.length} characters (at most ${MAX_LINE_LENGTH})`);
  for (const a of lines.stale)
    console.error(
      `scripts/check-boundaries.ts: ${a.file} has no line over ${MAX_LINE_LENGTH}: remove it from longLinesAllowed`,
    );
  if (violations.length > 0 || stale.length > 0 || lines.long.length > 0 || lines.stale.length > 0) {
    if (lines.long.length > 0) console.error(`${lines.long.length} line(s) over ${MAX_LINE_LENGTH} characters`);
    process.exit(1);
  }
  console.log(
    `import boundaries: ${files.size} files checked, ` +
      `${knownViolations.length} known exception(s) listed in scripts/check-boundaries.ts`,
  );
  console.log(
    `line length: ${tracked.size} files checked, none over ${MAX_LINE_LENGTH} characters, ` +
      `${longLinesAllowed.length} allowed file(s) listed in scripts/check-boundaries.ts`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
