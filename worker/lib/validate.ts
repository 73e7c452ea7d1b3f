import type { MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError } from "./errors";

/**
 * Validates one part of the request with a zod schema from shared/; a failure is a 400
 * `bad_request` that says which field is wrong. Handlers read `c.req.valid(target)`.
 * The typed client (`hc<AppType>`) sees the schema's input type, so fields with defaults
 * or transforms stay optional/raw for callers, and handlers get the parsed output.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  return validator(target, async (value): Promise<z.output<Schema>> => {
    const result = await schema.safeParseAsync(value);
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 5)
        .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
      throw new ApiError("bad_request", `Invalid ${target}: ${issues.join("; ")}`);
    }
    return result.data;
  }) as MiddlewareHandler<
    any,
    string,
    { in: { [K in Target]: z.input<Schema> }; out: { [K in Target]: z.output<Schema> } }
  >;
}
