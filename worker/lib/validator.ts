import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
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
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) => {
  const check = zValidator(target, schema, (result) => {
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
      throw new ApiError("unsupported_media_type", "The body must be JSON: send it with Content-Type: application/json");
    }
    return check(c, next);
  };
  return jsonOnly;
};
