import { zValidator } from "@hono/zod-validator";
import type { MiddlewareHandler, ValidationTargets } from "hono";
import type { z } from "zod";
import { findLoneSurrogate, LONE_SURROGATE_MESSAGE } from "../../shared/text";
import { ApiError } from "./errors";

/** `application/json` or a `+json` type, with any parameters (Hono's own test, which reads the body only then). */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Validates one part of the request with a zod schema from shared/ (@hono/zod-validator);
 * a failure is a 400 `bad_request` that says which field is wrong, thrown to the app's
 * one `onError` (https://hono.dev/docs/guides/validation). Handlers read `c.req.valid(target)`;
 * the typed client (`hc<AppType>`) sees each schema's input type, handlers its output.
 *
 * A `json` body is read only when its Content-Type says JSON. Without this check Hono
 * validates `{}` in its place and the client hears "githubToken: required" about a body it
 * did send: so any other type is 415 `unsupported_media_type` first.
 *
 * The body's text was checked before any route ran (`textRule` below); query, path and header
 * values are checked here, with the same rule.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) => {
  const check = zValidator(target, schema, (result) => {
    // Query, path and header values arrive percent- or byte-decoded, which cannot yield a lone
    // surrogate; what the handler gets is checked anyway (on failure: what was sent).
    rejectLoneSurrogates(target, result.data);
    if (result.success) return;
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => (issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message));
    throw new ApiError("bad_request", `Invalid ${target}: ${issues.join("; ")}`);
  });
  if (target !== "json") return check;
  const jsonOnly: typeof check = async (c, next) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(
        "unsupported_media_type",
        "The body must be JSON: send it with Content-Type: application/json",
      );
    }
    return check(c, next);
  };
  return jsonOnly;
};

/**
 * The one text rule at the door (docs/architecture.md §3, "Text"), for every route of the app —
 * the API's, MCP's, and any added later — before any handler or tool reads a byte: a body that
 * says it is JSON must be UTF-8, and every string in it (any field, any depth, keys too) valid
 * Unicode (shared/text.ts). JSON is UTF-8 (RFC 8259 §7.1); decoding replaces invalid bytes with
 * U+FFFD without a word, so such a body would be stored as text nobody sent. A body that is not
 * JSON at all is left to its route, which says so in its own protocol. Hono caches the bytes and
 * the parse, so the route reads the same body.
 */
export const textRule: MiddlewareHandler = async (c, next) => {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
  if (c.req.method === "GET" || c.req.method === "HEAD" || !JSON_MEDIA_TYPE.test(mediaType)) return next();
  if (!isUtf8(await c.req.arrayBuffer()))
    throw new ApiError("bad_request", "Invalid json: the body is not valid UTF-8");
  const sent: unknown = await c.req.json().catch(() => undefined);
  rejectLoneSurrogates("json", sent);
  return next();
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
function isUtf8(bytes: ArrayBuffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function rejectLoneSurrogates(target: string, value: unknown): void {
  const path = findLoneSurrogate(value);
  if (!path) return;
  const field = path.length ? `${path.map(String).join(".")}: ` : "";
  throw new ApiError("bad_request", `Invalid ${target}: ${field}${LONE_SURROGATE_MESSAGE}`);
}
