import { z } from "zod";
import type { GithubClient } from "./client";
import { GithubError } from "./errors";
import type { Pacer } from "./pacer";

// GitHub's star Lists through GraphQL (no REST exists): the index of a user's Lists, their items in batches the
// pacer sizes, and the four mutations (docs/architecture.md §4, "Lists").

/** A List as GitHub answers it, without its items. */
export type RemoteList = {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  itemCount: number;
  lastAddedAt: Date | null;
  updatedAt: Date | null;
};

const ListNode = z.object({
  id: z.string().min(1),
  name: z.string(),
  slug: z.string(),
  description: z.string().nullish(),
  isPrivate: z.boolean(),
  lastAddedAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  items: z.object({ totalCount: z.number().int().nonnegative() }),
});
const PageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
const IndexAnswer = z.object({
  viewer: z.object({
    lists: z.object({ totalCount: z.number().int(), pageInfo: PageInfo, nodes: z.array(ListNode.nullable()) }),
  }),
});

const LIST_FIELDS = "id name slug description isPrivate lastAddedAt updatedAt items { totalCount }";
// `items { totalCount }` needs no page size (GitHub counts it without fetching): the whole index is one point.
const INDEX_QUERY = /* GraphQL */ `
  query Lists($after: String) {
    viewer {
      lists(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ${LIST_FIELDS} } }
    }
    rateLimit { cost }
  }
`;

const time = (value: string | null | undefined) => (value ? new Date(value) : null);
const toRemote = (node: z.infer<typeof ListNode>): RemoteList => ({
  id: node.id,
  name: node.name,
  slug: node.slug,
  description: node.description ?? null,
  isPrivate: node.isPrivate,
  itemCount: node.items.totalCount,
  lastAddedAt: time(node.lastAddedAt),
  updatedAt: time(node.updatedAt),
});

export type ListIndex = { lists: RemoteList[]; scopes: string | null };

/** Every List of the viewer (GitHub is reported to allow 32: one request, a point), and the token's scopes. */
export async function readListIndex(client: GithubClient): Promise<ListIndex> {
  const lists: RemoteList[] = [];
  let after: string | null = null;
  let scopes: string | null = null;
  for (;;) {
    const answer: { data: z.infer<typeof IndexAnswer>; scopes: string | null } = await client.graphql(
      INDEX_QUERY,
      { after },
      IndexAnswer,
      { estimateMs: 600 },
    );
    scopes = answer.scopes;
    const { nodes, pageInfo } = answer.data.viewer.lists;
    for (const node of nodes) if (node) lists.push(toRemote(node));
    if (!pageInfo.hasNextPage || !pageInfo.endCursor) break;
    after = pageInfo.endCursor;
  }
  return { lists, scopes };
}

const ItemsPage = z
  .object({
    items: z.object({
      pageInfo: PageInfo,
      nodes: z.array(z.object({ databaseId: z.number().int().nullish() }).nullable()),
    }),
  })
  .nullable();

/**
 * The items of `lists` (GitHub ids of the repositories), read in aliased `node(id:)` batches of whole pages: each
 * page a request (a batch costs a point whatever its size), a batch as many repositories as the pacer expects to
 * answer in half GitHub's cut-off ("list-batch"). Items come in no documented order, so a List is only taken as read
 * when every page of it was; a List deleted meanwhile is left out of the answer.
 */
export async function readListItems(
  client: GithubClient,
  pacer: Pacer,
  lists: ReadonlyArray<Pick<RemoteList, "id" | "itemCount">>,
): Promise<Map<string, number[]>> {
  const items = new Map<string, number[]>();
  const queue = lists.map((list) => ({ id: list.id, after: null as string | null, left: list.itemCount, ids: [] }));
  let open = queue.filter((entry) => entry.left > 0);
  for (const entry of queue) if (entry.left === 0) items.set(entry.id, []);
  while (open.length > 0) {
    const budget = pacer.size("list-batch");
    const batch: typeof open = [];
    let asked = 0;
    for (const entry of open) {
      if (batch.length > 0 && asked + Math.min(100, entry.left) > budget) break;
      batch.push(entry);
      asked += Math.min(100, entry.left);
    }
    const variables: Record<string, string | null> = {};
    const selections = batch.map((entry, i) => {
      variables[`l${i}`] = entry.id;
      variables[`c${i}`] = entry.after;
      return `l${i}: node(id: $l${i}) { ... on UserList { items(first: 100, after: $c${i}) {
        pageInfo { hasNextPage endCursor } nodes { ... on Repository { databaseId } } } } }`;
    });
    const declarations = batch.map((_, i) => `$l${i}: ID!, $c${i}: String`).join(", ");
    const query = `query ListItems(${declarations}) {\n${selections.join("\n")}\nrateLimit { cost }\n}`;
    const started = Date.now();
    let data: Record<string, unknown>;
    try {
      const answer = await client.graphql(query, variables, z.record(z.string(), z.unknown()), {
        estimateMs: pacer.estimate("list-batch", asked),
      });
      pacer.learn("list-batch", asked, answer.ms);
      data = answer.data;
    } catch (error) {
      if (error instanceof GithubError && error.kind === "too_large" && asked > 1) {
        pacer.timedOut("list-batch", asked, Date.now() - started);
        continue;
      }
      throw error;
    }
    batch.forEach((entry, i) => {
      const page = ItemsPage.safeParse(data[`l${i}`]);
      if (!page.success || page.data === null) {
        // Gone since the index was read (NOT_FOUND at its alias): the next sync's index says so.
        entry.left = 0;
        return;
      }
      const { nodes, pageInfo } = page.data.items;
      for (const node of nodes) if (node?.databaseId) (entry.ids as number[]).push(node.databaseId);
      entry.after = pageInfo.endCursor;
      entry.left = pageInfo.hasNextPage && pageInfo.endCursor ? Math.max(1, entry.left - nodes.length) : 0;
      if (entry.left === 0) items.set(entry.id, entry.ids);
    });
    open = open.filter((entry) => entry.left > 0);
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Writes: each needs the classic `user` scope (the caller checks `X-OAuth-Scopes` first).

const ListPayload = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  description: z.string().nullish(),
  isPrivate: z.boolean(),
  lastAddedAt: z.string().nullish(),
  updatedAt: z.string().nullish(),
  items: z.object({ totalCount: z.number().int() }),
});

export async function createList(
  client: GithubClient,
  input: { name: string; description?: string | null; isPrivate?: boolean },
): Promise<RemoteList> {
  const answer = await client.graphql(
    `mutation CreateList($name: String!, $description: String, $isPrivate: Boolean) {
      createUserList(input: { name: $name, description: $description, isPrivate: $isPrivate }) {
        list { ${LIST_FIELDS} }
      }
    }`,
    { name: input.name, description: input.description ?? null, isPrivate: input.isPrivate ?? false },
    z.object({ createUserList: z.object({ list: ListPayload }) }),
    { estimateMs: 500 },
  );
  return toRemote(answer.data.createUserList.list);
}

export async function updateList(
  client: GithubClient,
  input: { listId: string; name?: string; description?: string | null },
): Promise<RemoteList> {
  const answer = await client.graphql(
    `mutation UpdateList($listId: ID!, $name: String, $description: String) {
      updateUserList(input: { listId: $listId, name: $name, description: $description }) { list { ${LIST_FIELDS} } }
    }`,
    { listId: input.listId, name: input.name ?? null, description: input.description ?? null },
    z.object({ updateUserList: z.object({ list: ListPayload }) }),
    { estimateMs: 500 },
  );
  return toRemote(answer.data.updateUserList.list);
}

export async function deleteList(client: GithubClient, listId: string): Promise<void> {
  await client.graphql(
    "mutation DeleteList($listId: ID!) { deleteUserList(input: { listId: $listId }) { clientMutationId } }",
    { listId },
    z.object({ deleteUserList: z.object({ clientMutationId: z.string().nullable() }).nullable() }),
    { estimateMs: 500 },
  );
}

/** Mutations sent in one request: GitHub runs them in order; each is a write of its own (~200 ms modelled). */
export const MEMBERSHIPS_PER_REQUEST = 10;

/**
 * `updateUserListsForItem` for several repositories, a request per MEMBERSHIPS_PER_REQUEST. Each entry's `listIds` is
 * the item's WHOLE new membership: GitHub removes the item from every List of the viewer not named (the caller reads
 * the current memberships first). Returns the node ids GitHub did not resolve (gone, not visible).
 */
export async function setMemberships(
  client: GithubClient,
  entries: ReadonlyArray<{ itemId: string; listIds: readonly string[] }>,
): Promise<Set<string>> {
  const missing = new Set<string>();
  for (let start = 0; start < entries.length; start += MEMBERSHIPS_PER_REQUEST) {
    const chunk = entries.slice(start, start + MEMBERSHIPS_PER_REQUEST);
    const variables: Record<string, unknown> = {};
    const selections = chunk.map((entry, i) => {
      variables[`i${i}`] = entry.itemId;
      variables[`s${i}`] = [...entry.listIds];
      return `m${i}: updateUserListsForItem(input: { itemId: $i${i}, listIds: $s${i} }) { clientMutationId }`;
    });
    const declarations = chunk.map((_, i) => `$i${i}: ID!, $s${i}: [ID!]!`).join(", ");
    const answer = await client.graphql(
      `mutation SetLists(${declarations}) {\n${selections.join("\n")}\n}`,
      variables,
      z.record(z.string(), z.unknown()),
      { estimateMs: 300 * chunk.length },
    );
    chunk.forEach((entry, i) => {
      if (answer.data[`m${i}`] == null) missing.add(entry.itemId);
    });
  }
  return missing;
}

/** Whether a classic token's `X-OAuth-Scopes` allow List writes: `user` (GithubStarsManager PR #273). */
export function mayWriteLists(scopes: string | null): boolean {
  return (
    scopes
      ?.split(",")
      .map((scope) => scope.trim())
      .includes("user") ?? false
  );
}
