import { validator } from "hono/validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";

/**
 * Validates one part of the request with a zod schema from shared/; a failure is a 400
 * `bad_request` that says which field is wrong. Handlers read `c.req.valid(target)`.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return validator(target, async (value): Promise<z.output<Schema>> => {
    const result = await schema.safeParseAsync(value);
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 5)
        .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
      throw new ApiError("bad_request", `Invalid ${target}: ${issues.join("; ")}`);
    }
    return result.data;
  });
}
