/// <reference types="node" />
// `npm run bench:lists`: what reading a user's GitHub Lists costs a sync, measured with the Worker's own GitHub code
// (worker/github/lists.ts, its client and pacer) against the GitHub emulator under its `github` realism. Every figure
// comes from outside the code under test: requests, points and server time are the emulator's counts.
//
//   npm run bench:lists -- [--stars 5000] [--lists 10] [--members 2000] [--json]
//
// Three syncs: the first (every List's items read), one where GitHub changed nothing (the index alone), and one
// where a single List gained a repository (the index and that List's items). Each as `refreshLists` asks them.
import { parseArgs } from "node:util";
import { createEmulatorClient } from "../emulators/github/client.ts";
import { startCli } from "../emulators/common/spawn-cli.ts";
import { GithubClient } from "../worker/github/client.ts";
import { readListIndex, readListItems } from "../worker/github/lists.ts";
import { Pacer } from "../worker/github/pacer.ts";

const { values } = parseArgs({
  options: {
    stars: { type: "string", default: "5000" },
    lists: { type: "string", default: "10" },
    members: { type: "string", default: "2000" },
    json: { type: "boolean", default: false },
  },
});
const stars = Number(values.stars);
const listCount = Number(values.lists);
const members = Number(values.members);

// The emulator as a user starts it (its own process, so the Worker's code here is checked with the Worker's types).
const github = await startCli("emulators/github/cli.ts", [
  "--port",
  "0",
  "--stars",
  String(stars),
  "--seed",
  "1",
  "--realism",
  "github",
  "--quiet",
]);
const control = createEmulatorClient(github.url);
try {
  const starred = (await control.stars("octocat")).map((star) => star.fullName);
  // Lists of growing size (1, 2, … shares of the members), repositories drawn in order from the stars.
  const weights = Array.from({ length: listCount }, (_, i) => i + 1);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let next = 0;
  const sizes: number[] = [];
  for (const [i, weight] of weights.entries()) {
    const size = Math.max(1, Math.round((members * weight) / total));
    sizes.push(size);
    const items = Array.from({ length: size }, () => starred[next++ % starred.length] as string);
    await control.createList({ login: "octocat", name: `List ${i + 1}`, items });
  }

  const config = { apiUrl: github.url, graphqlUrl: `${github.url}/graphql`, userAgent: "starwise-bench" };
  let pacing: unknown = null;
  async function measure(name: string, read: (client: GithubClient, pacer: Pacer) => Promise<number>) {
    const before = await control.stats();
    const pacer = new Pacer(pacing);
    const client = new GithubClient(config, "emulator-token-octocat", { pacer });
    const started = performance.now();
    const repositories = await read(client, pacer);
    const wallMs = performance.now() - started;
    pacing = pacer.toJSON();
    const after = await control.stats();
    const token = (stats: typeof after) => stats.tokens["user:octocat"];
    return {
      scenario: name,
      requests: (after.requests.byRoute["POST /graphql"] ?? 0) - (before.requests.byRoute["POST /graphql"] ?? 0),
      points: (after.rateLimit.octocat?.graphql.total ?? 0) - (before.rateLimit.octocat?.graphql.total ?? 0),
      serverMs: Math.round((token(after)?.serverMs.graphql ?? 0) - (token(before)?.serverMs.graphql ?? 0)),
      timeouts: (token(after)?.timeouts ?? 0) - (token(before)?.timeouts ?? 0),
      wallMs: Math.round(wallMs),
      repositories,
    };
  }

  const first = await measure("first sync: every List read", async (client, pacer) => {
    const index = await readListIndex(client);
    const items = await readListItems(client, pacer, index.lists);
    return [...items.values()].reduce((sum, ids) => sum + ids.length, 0);
  });
  const quiet = await measure("no List changed: the index only", async (client) => {
    await readListIndex(client);
    return 0;
  });
  const lists = await control.lists("octocat");
  const changed = lists.at(-1);
  if (!changed) throw new Error("no list");
  await control.updateList({
    login: "octocat",
    listId: changed.id,
    items: [...changed.items, starred.at(-1) as string],
  });
  const one = await measure("one List gained a repository", async (client, pacer) => {
    const index = await readListIndex(client);
    const items = await readListItems(
      client,
      pacer,
      index.lists.filter((list) => list.id === changed.id),
    );
    return [...items.values()].reduce((sum, ids) => sum + ids.length, 0);
  });

  const rows = [first, quiet, one];
  if (values.json) console.log(JSON.stringify({ stars, lists: listCount, sizes, rows }, null, 2));
  else {
    console.log(`${stars} stars, ${listCount} Lists of ${sizes.join(", ")} repositories (${members} memberships)\n`);
    console.log("| scenario | requests | points | GitHub server time | timeouts | wall | repositories read |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const row of rows) {
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `| ${row.scenario} | ${row.requests} | ${row.points} | ${seconds(row.serverMs)} | ${row.timeouts} | ` +
          `${seconds(row.wallMs)} | ${row.repositories} |`,
      );
    }
  }
} finally {
  await github.stop("SIGTERM");
}
