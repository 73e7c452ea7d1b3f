// POST /graphql: real queries executed with graphql-js against GitHub's published schema.
//
// Order of checks follows GitHub: parse and validate (errors are HTTP 200 with `errors`, nothing
// charged), pagination limits and cost, then the budget (RATE_LIMITED when the query costs more
// than what is left), then execution. The cost is charged before execution so `rateLimit` in the
// query reports the remaining budget after this query, as GitHub's does.
import { schema as publishedSchema } from "@octokit/graphql-schema";
import {
  GraphQLError,
  Kind,
  buildClientSchema,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from "graphql";
import { computeCost } from "./graphql-cost.ts";
import { fieldResolver, rootValue, typeResolver, type GraphqlContext } from "./graphql-resolvers.ts";
import { DOCS, json, type EmuResponse } from "./http.ts";
import { LIST_MUTATIONS, LIST_WRITE_SCOPE, mayWriteLists } from "./lists.ts";
import { refused, remaining } from "./ratelimit.ts";
import { graphqlServerMs, noWork, timeoutBody } from "./realism.ts";
import type { RequestContext, Route } from "./routes.ts";
import type { User } from "./users.ts";

let schemaCache: GraphQLSchema | undefined;

/** GitHub's schema, built once per process (the SDL does not build with graphql-js; introspection does). */
export function githubSchema(): GraphQLSchema {
  schemaCache ??= buildClientSchema(publishedSchema.json as unknown as IntrospectionQuery);
  return schemaCache;
}

/** Formats an error the way GitHub does: `type` on top for execution errors, `extensions.code` for validation. */
function formatError(error: GraphQLError): GraphQLFormattedError & { type?: string } {
  const out: GraphQLFormattedError & { type?: string } = { message: error.message };
  const type = error.extensions?.type;
  if (typeof type === "string") out.type = type;
  if (error.path) (out as { path?: ReadonlyArray<string | number> }).path = error.path;
  if (error.locations) (out as { locations?: unknown }).locations = error.locations;
  const extensions = { ...error.extensions };
  delete extensions.type;
  if (Object.keys(extensions).length > 0) (out as { extensions?: unknown }).extensions = extensions;
  return out;
}

/** graphql-js validation messages rephrased as GitHub's (graphql-ruby) ones for the common cases. */
function formatValidationError(error: GraphQLError) {
  const located = error.locations ? { locations: error.locations } : {};
  let match = /^Cannot query field "(\w+)" on type "(\w+)"\./.exec(error.message);
  if (match) {
    return {
      message: `Field '${match[1]}' doesn't exist on type '${match[2]}'`,
      ...located,
      extensions: { code: "undefinedField", typeName: match[2], fieldName: match[1] },
    };
  }
  match = /^Unknown argument "(\w+)" on field "(\w+)\.(\w+)"\./.exec(error.message);
  if (match) {
    return {
      message: `Field '${match[3]}' doesn't accept argument '${match[1]}'`,
      ...located,
      extensions: { code: "argumentNotAccepted", name: match[3], typeName: "Field", argumentName: match[1] },
    };
  }
  match = /^Field "(\w+)" argument "(\w+)" of type ".*" is required, but it was not provided\./.exec(error.message);
  if (match) {
    return {
      message: `Field '${match[1]}' is missing required arguments: ${match[2]}`,
      ...located,
      extensions: { code: "missingRequiredArguments", className: "Field", name: match[1], arguments: match[2] },
    };
  }
  return { message: error.message, ...located, extensions: { code: "validationError" } };
}

function errorsResponse(errors: unknown[]): EmuResponse {
  return json(200, { errors });
}

/**
 * GitHub's refusal of fields the classic token's scopes do not cover, one error per field (its wording, as GitHub
 * sends it for any scope it checks). Fine-grained tokens are refused by the resolvers (FORBIDDEN at the field).
 */
function insufficientScopes(operation: OperationDefinitionNode, viewer: User) {
  if (operation.operation !== "mutation" || viewer.tokenModel.kind !== "classic" || mayWriteLists(viewer)) return [];
  const granted = viewer.scopes
    .split(",")
    .map((scope) => `'${scope.trim()}'`)
    .filter((scope) => scope !== "''");
  return operation.selectionSet.selections.flatMap((selection) => {
    if (selection.kind !== Kind.FIELD || !LIST_MUTATIONS.includes(selection.name.value)) return [];
    const location = selection.loc
      ? [{ line: selection.loc.startToken.line, column: selection.loc.startToken.column }]
      : [];
    return [
      {
        type: "INSUFFICIENT_SCOPES",
        locations: location,
        message:
          "Your token has not been granted the required scopes to execute this query. " +
          `The '${selection.name.value}' field requires one of the following scopes: ['${LIST_WRITE_SCOPE}'], ` +
          `but your token has only been granted the: [${granted.join(", ")}] scopes. ` +
          "Please modify your token's scopes at: https://github.com/settings/tokens.",
      },
    ];
  });
}

/** Whether the operation asks `rateLimit(dryRun: true)`: then nothing is charged. */
function isDryRun(operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
  return operation.selectionSet.selections.some((selection) => {
    if (selection.kind !== Kind.FIELD || selection.name.value !== "rateLimit") return false;
    const arg = selection.arguments?.find((a) => a.name.value === "dryRun");
    if (!arg) return false;
    if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
    if (arg.value.kind === Kind.VARIABLE) return variables[arg.value.name.value] === true;
    return false;
  });
}

async function handleGraphql(ctx: RequestContext): Promise<EmuResponse> {
  const { state } = ctx;
  const viewer = ctx.user as User;
  const bucket = ctx.bucket;
  if (!bucket) throw new Error("graphql route without a budget");

  let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    payload = JSON.parse(ctx.body || "null") ?? {};
  } catch {
    return json(400, { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/graphql" });
  }
  if (typeof payload.query !== "string")
    return errorsResponse([{ message: "A query attribute must be specified and must be a string." }]);

  const schema = githubSchema();
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    if (error instanceof GraphQLError)
      return errorsResponse([{ message: error.message, locations: error.locations ?? [] }]);
    throw error;
  }
  const validationErrors = validate(schema, document, undefined, { maxErrors: 50 });
  if (validationErrors.length > 0) return errorsResponse(validationErrors.map(formatValidationError));

  const operationName = typeof payload.operationName === "string" ? payload.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return errorsResponse([
      { message: operationName ? `No operation named "${operationName}"` : "An operation name is required" },
    ]);
  }
  const rawVariables =
    payload.variables && typeof payload.variables === "object" ? (payload.variables as Record<string, unknown>) : {};
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  if (coerced.errors) return errorsResponse(coerced.errors.map(formatError));
  const variables = coerced.coerced;

  // Scopes are checked before anything is charged or run: a classic token without `user` cannot write lists.
  const scopeErrors = insufficientScopes(operation, viewer);
  if (scopeErrors.length > 0) return errorsResponse(scopeErrors);

  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  const cost = computeCost(schema, operation, fragments, variables);
  if (cost.errors.length > 0) return errorsResponse(cost.errors.map(formatError));

  const dryRun = isDryRun(operation, variables);
  if (!dryRun) {
    if (remaining(bucket) < cost.cost) {
      refused(bucket, state.now(), state.config.fastForwardWaits);
      const already = remaining(bucket) === 0 ? "already " : "";
      return errorsResponse([
        { type: "RATE_LIMITED", message: `API rate limit ${already}exceeded for user ID ${viewer.id}.` },
      ]);
    }
    state.limiter.charge(bucket, cost.cost);
  }

  const context: GraphqlContext = { state, viewer, bucket, cost: cost.cost, nodeCount: cost.nodeCount, work: noWork() };
  const result = await execute({
    schema,
    document,
    rootValue: rootValue(context),
    contextValue: context,
    variableValues: rawVariables,
    operationName,
    fieldResolver,
    typeResolver,
  });
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (result.errors?.length) body.errors = result.errors.map(formatError);
  const charged = dryRun ? 0 : cost.cost;
  // A lookup refused for SAML: GitHub's answer says where to authorise the token.
  const headers: Record<string, string> = context.ssoUrl ? { "x-github-sso": `required; url=${context.ssoUrl}` } : {};

  // How long GitHub would have worked on this (realism.ts), and what it does past its limits.
  const realism = state.realismFor(viewer);
  const serverMs = graphqlServerMs(context.work, realism, ctx.othersInFlight, state.timing);
  const tokenStats = state.stats.token(ctx.identity);
  if (realism.cutoffMs > 0 && serverMs > realism.cutoffMs) {
    // Cut off at 10 s. The client sees a 502/504 or a 200 with data:null, and a timed-out query
    // costs extra points (docs.github.com, "Rate limits and query limits for the GraphQL API").
    tokenStats.timeouts++;
    tokenStats.penaltyPoints += realism.timeoutPenaltyPoints;
    if (!dryRun) state.limiter.charge(bucket, realism.timeoutPenaltyPoints);
    const shapes = realism.timeoutShapes.length > 0 ? realism.timeoutShapes : (["502"] as const);
    const shape = shapes[state.timeouts++ % shapes.length];
    const timedOut = { serverMs: realism.cutoffMs, cost: 0, pointsCharged: charged + realism.timeoutPenaltyPoints };
    if (shape === "200") return { status: 200, body: timeoutBody(ctx.requestId), ...timedOut };
    if (shape === "504")
      return {
        status: 504,
        body: {
          message:
            "We couldn't respond to your request in time. Sorry about that. " +
            "Please try resubmitting your request and contact us if the problem persists.",
        },
        ...timedOut,
      };
    return {
      status: 502,
      body: {
        data: null,
        errors: [
          {
            message:
              "Something went wrong while executing your query. " +
              "This may be the result of a timeout, or it could be a GitHub bug.",
          },
        ],
      },
      ...timedOut,
    };
  }
  if (realism.resourceLimitMs > 0 && serverMs > realism.resourceLimitMs && body.data) {
    // Past the undisclosed per-query budget GitHub stops resolving and answers what it has.
    tokenStats.resourceLimitHits++;
    body.data = partialData(body.data as Record<string, unknown>, realism.resourceLimitMs / serverMs);
    body.errors = [
      ...((body.errors as unknown[]) ?? []),
      { type: "RESOURCE_LIMITS_EXCEEDED", message: "Resource limits for this query exceeded." },
    ];
    return { status: 200, headers, body, cost: 0, serverMs: realism.resourceLimitMs, pointsCharged: charged };
  }
  const mutation = operation.operation === "mutation" ? { secondaryPoints: Math.max(5, charged) } : {};
  return { status: 200, headers, body, cost: 0, serverMs, pointsCharged: charged, ...mutation };
}

/**
 * What GitHub answers when a query runs out of its resource budget part way: the share `kept`
 * of the work resolved, the rest null — aliased root fields beyond it, or the items beyond it
 * of the longest list (a page of stars).
 */
export function partialData(data: Record<string, unknown>, kept: number): Record<string, unknown> {
  const keys = Object.keys(data).filter((key) => key !== "rateLimit");
  if (keys.length > 1) {
    const keep = Math.floor(keys.length * kept);
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, key === "rateLimit" || keys.indexOf(key) < keep ? value : null]),
    );
  }
  let longest: unknown[] | undefined;
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      if (!longest || value.length > longest.length) longest = value;
      value.forEach(walk);
    } else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  const copy = structuredClone(data);
  walk(copy);
  if (longest) {
    const list = longest;
    for (let i = Math.floor(list.length * kept); i < list.length; i++) list[i] = null;
  }
  return copy;
}

export const graphqlRoute: Route = {
  method: "POST",
  template: "/graphql",
  resource: "graphql",
  auth: "required",
  unauthenticated: () =>
    json(401, {
      message: "This endpoint requires you to be authenticated.",
      documentation_url: DOCS.graphqlAuth,
      status: "401",
    }),
  handle: handleGraphql,
};
