import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
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
 * Every string of every validated part — any field, any depth, keys too — must be valid
 * Unicode (shared/text.ts): checked here, before the schema, so it is one rule in one place
 * that no schema, present or future, can forget.
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
    // JSON is UTF-8 (RFC 8259 §7.1). Decoding replaces invalid bytes with U+FFFD without a word,
    // so a body that is not UTF-8 would be stored as text nobody sent: refused instead, like a
    // lone surrogate. Hono caches the bytes; the JSON below is parsed from them.
    if (!isUtf8(await c.req.arrayBuffer()))
      throw new ApiError("bad_request", "Invalid json: the body is not valid UTF-8");
    // The body as sent, unknown keys included (Hono caches the parse, so the schema sees the
    // same value). A body that is not JSON is left to the validator, which says so.
    const sent: unknown = await c.req.json().catch(() => undefined);
    rejectLoneSurrogates(target, sent);
    return check(c, next);
  };
  return jsonOnly;
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
