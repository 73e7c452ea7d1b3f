// Answers that follow the JSON schema a client sent (response_format json_schema, or a tool's
// parameters): every property is filled from the analysis by its name — summary/description →
// the summary, tags/keywords/topics → tags, platforms → platforms (within the enum), language →
// the output language, category/kind → the category, name/title → the name; other strings get
// the summary, numbers their minimum (or 0), booleans false. maxLength, minItems/maxItems, enum,
// const, $ref/$defs, anyOf/oneOf and nullable types are honoured; all properties are emitted,
// as strict structured outputs require.
import { DEFAULT_LIMITS, type Analysis, type AnalysisLimits } from "./analysis.ts";
import { clip } from "./markdown.ts";

export type JsonSchema = Record<string, unknown>;

const isObject = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/** The shape a json_object request gets when the prompt carries no schema. */
export const DEFAULT_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    summary: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
    platforms: { type: "array", items: { type: "string" } },
  },
  required: ["summary", "tags", "platforms"],
};

function resolve(schema: unknown, root: JsonSchema, depth = 0): JsonSchema {
  if (!isObject(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith("#") && depth < 20) {
    let node: unknown = root;
    for (const part of ref.slice(1).split("/").filter(Boolean))
      node = isObject(node) ? node[decodeURIComponent(part.replace(/~1/g, "/").replace(/~0/g, "~"))] : undefined;
    return resolve(node, root, depth + 1);
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(alternatives)) {
    const pick = alternatives.map((a) => resolve(a, root, depth + 1)).find((a) => a.type !== "null") ?? {};
    return { ...schema, ...pick, anyOf: undefined, oneOf: undefined };
  }
  if (Array.isArray(schema.allOf)) {
    return schema.allOf.reduce<JsonSchema>((acc, part) => ({ ...acc, ...resolve(part, root, depth + 1) }), {
      ...schema,
      allOf: undefined,
    });
  }
  return schema;
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  if (typeof type === "string") return type;
  if (isObject(schema.properties)) return "object";
  if (isObject(schema.items)) return "array";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0];
  return undefined;
}

const SUMMARY_KEY = /summary|description|abstract|overview|synopsis|摘要|简介/i;
const TAGS_KEY = /tags?$|keywords?|topics?|labels?|标签/i;
const PLATFORM_KEY = /platforms?|平台/i;

function propertyOf(root: JsonSchema, pattern: RegExp): JsonSchema | undefined {
  const top = resolve(root, root);
  const properties = isObject(top.properties) ? top.properties : {};
  const key = Object.keys(properties).find((k) => pattern.test(k));
  return key ? resolve(properties[key], root) : undefined;
}

/** What the schema allows (summary length, tag count, platform enum), for the analysis to respect. */
export function limitsFrom(root: JsonSchema): AnalysisLimits {
  const limits: AnalysisLimits = { ...DEFAULT_LIMITS };
  const summary = propertyOf(root, SUMMARY_KEY);
  if (summary && typeof summary.maxLength === "number") limits.summaryMaxLength = summary.maxLength;
  const tags = propertyOf(root, TAGS_KEY);
  if (tags) {
    if (typeof tags.minItems === "number") limits.tagsMin = tags.minItems;
    if (typeof tags.maxItems === "number") limits.tagsMax = tags.maxItems;
    if (limits.tagsMin > limits.tagsMax) limits.tagsMin = limits.tagsMax;
  }
  const platforms = propertyOf(root, PLATFORM_KEY);
  if (platforms) {
    const items = resolve(platforms.items, root);
    if (Array.isArray(items.enum)) limits.platformEnum = items.enum.map(String);
    if (typeof platforms.maxItems === "number") limits.platformsMax = platforms.maxItems;
  }
  return limits;
}

function fitString(text: string, schema: JsonSchema): string {
  let out = text;
  if (typeof schema.maxLength === "number") out = clip(out, schema.maxLength);
  if (typeof schema.minLength === "number" && out.length < schema.minLength) out = out.padEnd(schema.minLength, ".");
  return out;
}

function fitArray(values: unknown[], schema: JsonSchema, root: JsonSchema, analysis: Analysis, key: string): unknown[] {
  const items = resolve(schema.items, root);
  let out = values;
  if (Array.isArray(items.enum)) {
    const allowed = items.enum;
    out = out.filter((v) => allowed.includes(v));
  }
  if (typeof schema.maxItems === "number") out = out.slice(0, schema.maxItems);
  const min = typeof schema.minItems === "number" ? schema.minItems : 0;
  let filler = 0;
  while (out.length < min) {
    const candidate = Array.isArray(items.enum)
      ? items.enum[filler % items.enum.length]
      : fill(items, root, analysis, `${key}-${filler}`);
    filler++;
    if (!out.includes(candidate) || filler > min + 10) out = [...out, candidate];
  }
  return out;
}

export function fill(schemaIn: unknown, root: JsonSchema, analysis: Analysis, key = ""): unknown {
  const schema = resolve(schemaIn, root);
  if ("const" in schema) return schema.const;
  const type = typeOf(schema);
  if (Array.isArray(schema.enum) && type !== "array") {
    const values = schema.enum;
    const wanted = [analysis.language, analysis.category, ...analysis.platforms, ...analysis.tags];
    return values.find((v) => wanted.includes(String(v))) ?? values[0];
  }
  switch (type) {
    case "object": {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(properties)) out[name] = fill(sub, root, analysis, name);
      return out;
    }
    case "array": {
      const items = resolve(schema.items, root);
      const itemType = typeOf(items);
      if (itemType === "string" || Array.isArray(items.enum)) {
        const values = PLATFORM_KEY.test(key) ? analysis.platforms : TAGS_KEY.test(key) ? analysis.tags : analysis.tags;
        return fitArray(
          values.map((v) => fitString(v, items)),
          schema,
          root,
          analysis,
          key,
        );
      }
      return fitArray([fill(items, root, analysis, key)], schema, root, analysis, key);
    }
    case "string": {
      if (SUMMARY_KEY.test(key) || key === "") return fitString(analysis.summary, schema);
      if (/^(?:output_?)?lang(?:uage)?$|locale/i.test(key)) return fitString(analysis.language, schema);
      if (/category|kind|type|分类/i.test(key)) return fitString(analysis.category, schema);
      if (/name|title/i.test(key)) return fitString(analysis.name, schema);
      if (TAGS_KEY.test(key)) return fitString(analysis.tags.join(", "), schema);
      if (PLATFORM_KEY.test(key)) return fitString(analysis.platforms.join(", "), schema);
      return fitString(analysis.summary, schema);
    }
    case "integer":
    case "number": {
      const min =
        typeof schema.minimum === "number"
          ? schema.minimum
          : typeof schema.exclusiveMinimum === "number"
            ? schema.exclusiveMinimum + 1
            : 0;
      const max = typeof schema.maximum === "number" ? schema.maximum : Number.POSITIVE_INFINITY;
      const value = /confidence|score|probability/i.test(key)
        ? Math.min(max, type === "integer" ? Math.max(min, 1) : 0.8)
        : min;
      return Math.min(Math.max(value, min), max);
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return analysis.summary;
  }
}

/** A JSON schema found inside a prompt (a json_object request that describes its shape in text). */
export function schemaInText(text: string): JsonSchema | null {
  for (const match of text.matchAll(/\{[\s\S]*?"properties"[\s\S]*\}/g)) {
    // Grow from the first brace until the object parses.
    const candidate = match[0];
    for (let end = candidate.length; end > 0; end = candidate.lastIndexOf("}", end - 1)) {
      try {
        const value = JSON.parse(candidate.slice(0, end + 1)) as unknown;
        if (isObject(value) && isObject(value.properties)) return value;
      } catch {
        // keep shrinking
      }
      if (end <= 1) break;
    }
  }
  return null;
}
