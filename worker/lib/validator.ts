import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";

/**
 * Validates one part of the request with a zod schema from shared/ (@hono/zod-validator);
 * a failure is a 400 `bad_request` that says which field is wrong, thrown to the app's
 * one `onError` (https://hono.dev/docs/guides/validation). Handlers read `c.req.valid(target)`;
 * the typed client (`hc<AppType>`) sees each schema's input type, handlers its output.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result) => {
    if (result.success) return;
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => (issue.path.length ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message));
    throw new ApiError("bad_request", `Invalid ${target}: ${issues.join("; ")}`);
  });
