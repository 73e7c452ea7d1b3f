import { z } from "zod";
import type { GithubClients } from "./client";
import { deniedByGraphql, GithubError } from "./errors";
import { REPOSITORY_FIELDS, RepositoryNode, toMetadata } from "./graphql-shapes";
import type { RepoMetadata } from "./types";

/**
 * One repository's metadata by name, for `POST /api/repositories/save`. GraphQL, because one
 * query returns the topics too (REST needs a second call or a preview header), at 1 point;
 * the same fields and mapping as the sync's listing, so the next sync finds nothing to redo.
 */
const REPOSITORY_QUERY = /* GraphQL */ `
  query Repository($owner: String!, $name: String!) {
    repository(owner: $owner, name: $name) { ${REPOSITORY_FIELDS} }
    rateLimit { cost }
  }
`;

export async function fetchRepository(
  github: GithubClients,
  token: string,
  owner: string,
  name: string,
): Promise<RepoMetadata> {
  const { data, nodeErrors } = await github
    .forToken(token)
    .graphql(REPOSITORY_QUERY, { owner, name }, z.object({ repository: RepositoryNode.nullish() }));
  // A repository GitHub blocks, or whose organisation's SAML single sign-on the token lacks: FORBIDDEN and null.
  const refused = nodeErrors.find((e) => e.type === "FORBIDDEN" && e.path[0] === "repository");
  if (!data.repository && refused) {
    throw new GithubError("repository_denied", refused.message, {
      status: 403,
      access: deniedByGraphql(refused.message),
    });
  }
  // GraphQL answers an unknown (or invisible private) repository with NOT_FOUND and null.
  if (!data.repository) {
    throw new GithubError("not_found", `GitHub has no repository ${owner}/${name} that this token can see`, {
      status: 404,
    });
  }
  return toMetadata(data.repository);
}
