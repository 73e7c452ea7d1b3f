// What `npm run bench:sync -- --variants …` runs: the Worker as it ships (`starwise`), the Worker
// with some of its vars set for that run (`starwise[PACER_SIZING=halve;ANALYSIS_CONCURRENCY=3]`),
// or the seed's algorithm from Node (`seed`, bench/seed-sync.ts), the baseline.

export type Variant =
  | { kind: "seed"; name: "seed" }
  /** `name` is how the table prints it: `starwise`, or `starwise[VAR=value;…]` with the vars as given. */
  | { kind: "starwise"; name: string; vars: Record<string, string> };

export const VARIANTS_SYNTAX = "starwise, starwise[VAR=value;VAR2=value], seed";

/** A `--variants` value that cannot be run; the message says what is wrong with it. */
export class VariantError extends Error {
  override readonly name = "VariantError";
}

export type VarRules = {
  /** The Worker's vars (wrangler.toml `[vars]`). */
  known: ReadonlySet<string>;
  /** Vars the benchmark sets itself (pointing the Worker at the emulators), with why. */
  reserved: ReadonlyMap<string, string>;
};

/** The names in wrangler.toml's `[vars]` table. */
export function workerVarNames(wranglerToml: string): Set<string> {
  const names = new Set<string>();
  let inVars = false;
  for (const line of wranglerToml.split("\n")) {
    const trimmed = line.trim();
    if (trimmed.startsWith("[")) inVars = trimmed === "[vars]";
    else if (inVars) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(trimmed);
      if (match) names.add(match[1]!);
    }
  }
  return names;
}

/** The comma-separated items of the flag; commas inside `[…]` belong to a var's value. */
function splitItems(flag: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of flag) {
    if (char === "[") {
      if (depth > 0) throw new VariantError(`"${current}[": a "[" inside a variant's vars (write ${VARIANTS_SYNTAX})`);
      depth++;
    } else if (char === "]") {
      if (depth === 0) throw new VariantError(`"${current}]": a "]" without its "["`);
      depth--;
    } else if (char === "," && depth === 0) {
      items.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (depth > 0) throw new VariantError(`"${current.trim()}": its "[" is never closed`);
  items.push(current.trim());
  return items;
}

function parseVars(item: string, inside: string, rules: VarRules): Record<string, string> {
  if (inside.trim() === "")
    throw new VariantError(`"${item}" sets no var: write "starwise" for the Worker as it ships`);
  const vars: Record<string, string> = {};
  for (const entry of inside.split(";").map((part) => part.trim())) {
    if (entry === "") throw new VariantError(`"${item}": an empty var (two ";" in a row, or one at an end)`);
    const match = /^([^=]+)=(.*)$/s.exec(entry);
    if (!match) throw new VariantError(`"${item}": "${entry}" is not VAR=value`);
    const name = match[1]!.trim();
    const value = match[2]!.trim();
    if (!rules.known.has(name)) {
      const like = [...rules.known].find((known) => known.toLowerCase() === name.toLowerCase());
      throw new VariantError(
        `"${item}": the Worker has no var "${name}"` +
          (like
            ? ` (did you mean ${like}?)`
            : ` (wrangler.toml [vars]: ${[...rules.known].filter((known) => !rules.reserved.has(known)).join(", ")})`),
      );
    }
    const reserved = rules.reserved.get(name);
    if (reserved !== undefined)
      throw new VariantError(`"${item}": ${name} is set by the benchmark itself (${reserved})`);
    if (value === "") throw new VariantError(`"${item}": ${name} has no value (leave it out for the Worker's default)`);
    if (name in vars) throw new VariantError(`"${item}": ${name} is set twice`);
    vars[name] = value;
  }
  return vars;
}

/** The variants of a `--variants` value, in order; throws a `VariantError` saying what is wrong. */
export function parseVariants(flag: string, rules: VarRules): Variant[] {
  const variants: Variant[] = [];
  for (const item of splitItems(flag)) {
    if (item === "") throw new VariantError(`an empty variant (two "," in a row, or one at an end) in "${flag}"`);
    const match = /^([^[\]]*?)\s*(?:\[(.*)\])?$/s.exec(item);
    const base = match?.[1] ?? item;
    if (!match || (base !== "starwise" && base !== "seed"))
      throw new VariantError(`unknown variant "${item}" (${VARIANTS_SYNTAX})`);
    const inside = match[2];
    let variant: Variant;
    if (base === "seed") {
      if (inside !== undefined)
        throw new VariantError(`"${item}": the seed's algorithm runs outside the Worker and takes no vars`);
      variant = { kind: "seed", name: "seed" };
    } else if (inside === undefined) {
      variant = { kind: "starwise", name: "starwise", vars: {} };
    } else {
      const vars = parseVars(item, inside, rules);
      variant = {
        kind: "starwise",
        name: `starwise[${Object.entries(vars)
          .map(([name, value]) => `${name}=${value}`)
          .join(";")}]`,
        vars,
      };
    }
    if (variants.some((other) => other.name === variant.name))
      throw new VariantError(`"${variant.name}" is named twice`);
    variants.push(variant);
  }
  return variants;
}

/** What `npm run bench:search -- --variants …` runs: keyword-only or hybrid search, each with vars of its own. */
export type SearchVariant = {
  mode: "keyword" | "hybrid";
  /** `hybrid`, or `hybrid[VAR=value;…]` with the vars as given. */
  name: string;
  vars: Record<string, string>;
};

export const SEARCH_VARIANTS_SYNTAX = "keyword, hybrid, hybrid[VAR=value;VAR2=value], keyword[VAR=value]";

/** The variants of bench:search's `--variants`, in order; throws a `VariantError` saying what is wrong. */
export function parseSearchVariants(flag: string, rules: VarRules): SearchVariant[] {
  const variants: SearchVariant[] = [];
  for (const item of splitItems(flag)) {
    if (item === "") throw new VariantError(`an empty variant (two "," in a row, or one at an end) in "${flag}"`);
    const match = /^([^[\]]*?)\s*(?:\[(.*)\])?$/s.exec(item);
    const mode = match?.[1];
    if (!match || (mode !== "keyword" && mode !== "hybrid"))
      throw new VariantError(`unknown variant "${item}" (${SEARCH_VARIANTS_SYNTAX})`);
    const vars = match[2] === undefined ? {} : parseVars(item, match[2], rules);
    const name =
      match[2] === undefined
        ? mode
        : `${mode}[${Object.entries(vars)
            .map(([key, value]) => `${key}=${value}`)
            .join(";")}]`;
    if (variants.some((other) => other.name === name)) throw new VariantError(`"${name}" is named twice`);
    variants.push({ mode, name, vars });
  }
  return variants;
}
