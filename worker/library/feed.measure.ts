import { env } from "cloudflare:workers";
import { it } from "vitest";
import { createDb } from "../db/client";
import { feedEntries, renderAtom } from "./feed";

// The Atom feed of a 10,000-star library against local D1 with the real migrations: how long its one statement
// and the rendering take, and how big the document is. 5% of the stars have a release in the last 30 days, 1%
// were archived in them, 0.5% are gone (every fifth of those private: left out). Run with
//   npx vitest run --config bench/vectors.vitest.config.ts worker/library/feed.measure.ts

const STARS = 10_000;
const RUNS = 20;
const DAY = 86_400_000;

it(`measures the feed of ${STARS} stars`, async () => {
  const now = Date.now();
  await env.DB.prepare(
    "insert into users (id, github_id, login, token_ciphertext, created_at, updated_at) values (1, 1, 'm', 'x', 0, 0)",
  ).run();
  await env.DB.prepare(
    `insert into repositories (id, github_id, full_name, name, owner_login, html_url, description, topics, is_private,
       latest_release_tag, latest_release_name, latest_release_at, archived, archived_at, created_at, updated_at)
     with recursive n(i) as (select 1 union all select i + 1 from n where i < ${STARS})
     select i, 90000000 + i, 'm/repo-' || i, 'repo-' || i, 'm', 'https://github.com/m/repo-' || i,
       'A description with <markup> & "quotes" number ' || i, '[]', i % 1000 = 0,
       case when i % 20 = 0 then 'v' || i end, case when i % 20 = 0 then 'Release ' || i end,
       case when i % 20 = 0 then ${now} - (i % 29) * ${DAY} end,
       i % 100 = 7, case when i % 100 = 7 then ${now} - (i % 28) * ${DAY} end, 0, 0
     from n`,
  ).run();
  await env.DB.prepare(
    `insert into stars (user_id, repository_id, starred_at, is_starred, gone_reason, gone_at, created_at)
     with recursive n(i) as (select 1 union all select i + 1 from n where i < ${STARS})
     select 1, i, ${now} - i * 60000, 1, case when i % 200 = 3 then 'private-or-deleted' end,
       case when i % 200 = 3 then ${now} - (i % 27) * ${DAY} end, 0
     from n`,
  ).run();
  const db = createDb(env.DB);
  const times: number[] = [];
  const renders: number[] = [];
  let size = 0;
  let entries = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const list = await feedEntries(db, 1, { includePrivate: false });
    const queried = performance.now();
    const body = renderAtom({
      selfUrl: "https://starwise.example/feed/swf_x",
      id: "tag:starwise.example,2026:feed/1",
      authority: "starwise.example",
      login: "m",
      language: "en",
      createdAt: new Date(0),
      entries: list,
    });
    renders.push(performance.now() - queried);
    times.push(queried - started);
    size = new TextEncoder().encode(body).byteLength;
    entries = list.length;
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `feed of ${STARS} stars: ${entries} entries, ${(size / 1024).toFixed(1)} KiB; ` +
      `query median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}), ` +
      `render median ${median(renders).toFixed(2)} ms over ${RUNS} runs`,
  );
});
