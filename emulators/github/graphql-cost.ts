// GitHub's GraphQL rate-limit cost and node limit, computed statically from the query.
//
// GitHub's rule: add up the requests needed to fulfil each connection, assuming every `first`/`last`
// is reached (a connection nested under a connection of 100 needs 100 requests, one per parent
// node), divide by 100 and round; the minimum is 1. `nodeCount` is the maximum number of nodes the
// query could return (each connection contributes parents × its page size); above 500,000 GitHub
// refuses the query. Connections without `first`/`last`, or with more than 100, are refused too.
import {
  GraphQLError,
  getArgumentValues,
  getNamedType,
  isObjectType,
  isInterfaceType,
  isCompositeType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Kind,
} from "graphql";

export const MAX_PAGE_SIZE = 100;
export const MAX_NODES = 500_000;
export const MAX_IDS = 100;

export interface QueryCost {
  /** Requests GitHub would need (before dividing by 100). */
  requests: number;
  cost: number;
  nodeCount: number;
  /** Pagination or node-limit violations; the query must not run when there are any. */
  errors: GraphQLError[];
}

function isConnectionType(type: GraphQLNamedType): boolean {
  return (isObjectType(type) || isInterfaceType(type)) && type.name.endsWith("Connection");
}

/** Whether a connection's selection fetches its items (nodes/edges), through fragments too. */
function selectsItems(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  if (!selectionSet) return false;
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === "nodes" || selection.name.value === "edges";
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsItems(selection.selectionSet, fragments);
    return selectsItems(fragments[selection.name.value]?.selectionSet, fragments);
  });
}

export function computeCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): QueryCost {
  const result: QueryCost = { requests: 0, cost: 0, nodeCount: 0, errors: [] };

  const walk = (
    selectionSet: SelectionSetNode | undefined,
    parentType: GraphQLCompositeType,
    multiplier: number,
    visiting: Set<string>,
  ) => {
    if (!selectionSet) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        walk(selection.selectionSet, (type ?? parentType) as GraphQLCompositeType, multiplier, visiting);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
        walk(fragment.selectionSet, type ?? parentType, multiplier, new Set([...visiting, name]));
      } else {
        visitField(selection, parentType, multiplier, visiting);
      }
    }
  };

  const visitField = (node: FieldNode, parentType: GraphQLCompositeType, multiplier: number, visiting: Set<string>) => {
    if (!isObjectType(parentType) && !isInterfaceType(parentType)) return; // unions only hold fragments
    const field = parentType.getFields()[node.name.value];
    if (!field) return; // __typename and introspection fields
    const type = getNamedType(field.type);
    const args = getArgumentValues(field, node, variables);
    let childMultiplier = multiplier;

    if (isConnectionType(type) && field.args.some((arg) => arg.name === "first" || arg.name === "last")) {
      const first = typeof args.first === "number" ? args.first : undefined;
      const last = typeof args.last === "number" ? args.last : undefined;
      const size = first ?? last;
      if (size === undefined) {
        // `stargazers { totalCount }` needs no page size on GitHub; fetching nodes or edges does.
        if (!selectsItems(node.selectionSet, fragments)) {
          result.requests += multiplier;
          return;
        }
        result.errors.push(
          new GraphQLError(
            "You must provide a `first` or `last` value to properly paginate the " +
              `\`${node.name.value}\` connection.`,
            {
              nodes: node,
              extensions: { type: "MISSING_PAGINATION_BOUNDARIES" },
            },
          ),
        );
        return;
      }
      if (size > MAX_PAGE_SIZE || size < 0) {
        const which = first !== undefined ? "first" : "last";
        result.errors.push(
          new GraphQLError(
            `Requesting ${size} records on the \`${node.name.value}\` connection ` +
              `exceeds the \`${which}\` limit of ${MAX_PAGE_SIZE} records.`,
            { nodes: node, extensions: { type: "EXCESSIVE_PAGINATION" } },
          ),
        );
        return;
      }
      result.requests += multiplier;
      result.nodeCount += multiplier * size;
      childMultiplier = multiplier * size;
    } else if (Array.isArray(args.ids)) {
      // nodes(ids:) is a list, not a connection: no request of its own, but it multiplies what it contains.
      if (args.ids.length > MAX_IDS) {
        result.errors.push(
          new GraphQLError(`You may not request more than ${MAX_IDS} nodes at once (requested ${args.ids.length}).`, {
            nodes: node,
            extensions: { type: "EXCESSIVE_PAGINATION" },
          }),
        );
        return;
      }
      result.nodeCount += multiplier * args.ids.length;
      childMultiplier = multiplier * args.ids.length;
    }
    if (node.selectionSet && isCompositeType(type)) walk(node.selectionSet, type, childMultiplier, visiting);
  };

  const rootType = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (rootType) walk(operation.selectionSet, rootType, 1, new Set());

  if (result.nodeCount > MAX_NODES) {
    result.errors.push(
      new GraphQLError(
        "By the time this query traverses to the deepest connection, " +
          `it is requesting up to ${result.nodeCount} possible nodes which exceeds the maximum limit of ${MAX_NODES}.`,
        { extensions: { type: "MAX_NODE_LIMIT_EXCEEDED" } },
      ),
    );
  }
  result.cost = Math.max(1, Math.round(result.requests / 100));
  return result;
}
