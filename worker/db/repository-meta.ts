import { META_FIELDS, type MetaField, type RepoMetadata } from "../github/types";
import { repositories } from "./schema";

// A repository's metadata as columns of `repositories`, made from the one field list
// (META_FIELDS): the sync's writes (worker/sync/store.ts) and the save route use these.

/** The metadata columns, under RepoMetadata's names. */
export const META_COLUMNS = Object.fromEntries(META_FIELDS.map((field) => [field, repositories[field]])) as {
  [K in MetaField]: (typeof repositories)[K];
};

/**
 * RepoMetadata as the values of its columns (timestamps as Dates). The return type names every
 * field of RepoMetadata but the id: one missing from META_FIELDS does not compile.
 */
export function metaValues(repo: RepoMetadata): {
  [K in Exclude<keyof RepoMetadata, "githubId">]: (typeof repositories.$inferInsert)[K];
} {
  const values = Object.fromEntries(META_FIELDS.map((field) => [field, repo[field]])) as Pick<RepoMetadata, MetaField>;
  return {
    ...values,
    githubCreatedAt: date(repo.githubCreatedAt),
    githubUpdatedAt: date(repo.githubUpdatedAt),
    githubPushedAt: date(repo.githubPushedAt),
  };
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));
