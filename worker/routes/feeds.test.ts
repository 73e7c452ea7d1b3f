import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../shared/errors";
import { FEED_TOKEN, FEEDS_PER_USER, FeedCreated, FeedList } from "../../shared/feed";
import { sha256Hex } from "../lib/crypto";
import { parseAtom } from "../test/atom";
import { seedHealthy } from "../test/digest-seed";
import { BASE, env, signIn, workerFetch } from "../test/helpers";

const DAY = 86_400_000;
const ago = (days: number) => Date.now() - days * DAY;

const bearer = (sessionToken: string) => ({ Authorization: `Bearer ${sessionToken}` });

async function createFeed(sessionToken: string, body: unknown = {}) {
  const response = await workerFetch(`${BASE}/api/feeds`, {
    method: "POST",
    headers: { ...bearer(sessionToken), "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return FeedCreated.parse(await response.json());
}

async function listFeeds(sessionToken: string) {
  const response = await workerFetch(`${BASE}/api/feeds`, { headers: bearer(sessionToken) });
  expect(response.status).toBe(200);
  return FeedList.parse(await response.json()).feeds;
}

const revoke = (sessionToken: string, id: number) =>
  workerFetch(`${BASE}/api/feeds/${id}`, { method: "DELETE", headers: bearer(sessionToken) });

async function readFeed(url: string) {
  const response = await workerFetch(url);
  const body = await response.text();
  expect(response.status, body).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/atom+xml; charset=utf-8");
  return { body, atom: parseAtom(body) };
}

/** One of each kind the feed says, and what it must not: too old, unstarred, private, the user's notes. */
async function seedFeedLibrary(userId: number, owner: string) {
  await seedHealthy(
    userId,
    `${owner}/released`,
    { releaseTag: "v2.0.0", releaseName: "Two", releaseAt: ago(3) },
    { notes: "my private note" },
    "A fast thing",
  );
  await seedHealthy(userId, `${owner}/released-long-ago`, { releaseTag: "v0.1", releaseAt: ago(90) });
  await seedHealthy(userId, `${owner}/archived`, { archived: true, archivedAt: ago(2) });
  await seedHealthy(
    userId,
    `${owner}/deleted`,
    {},
    { goneReason: "deleted", goneAt: ago(1), notes: "a note about the deleted one" },
  );
  await seedHealthy(userId, `${owner}/dropped`, { releaseTag: "v9", releaseAt: ago(1) }, { isStarred: false });
  const secret = await seedHealthy(userId, `${owner}/secret-plans`, { releaseTag: "v1.0.0", releaseAt: ago(4) });
  await env.DB.prepare("update repositories set is_private = 1 where id = ?").bind(secret).run();
}

describe("the digest's Atom feed", () => {
  it("is made with a URL shown once, kept only as a hash, and serves valid Atom of the stars' changes", async () => {
    const { sessionToken, user } = await signIn("feed-owner", 0);
    await seedFeedLibrary(user.id, "fo");
    const created = await createFeed(sessionToken);
    const token = created.url.split("/feed/")[1]!;
    expect(created.url).toBe(`${BASE}/feed/${token}`);
    expect(token).toMatch(FEED_TOKEN);
    expect(created).toMatchObject({ includePrivate: false, lastReadAt: null });

    // Only the hash is stored; the list never says the URL again.
    const stored = await env.DB.prepare("select token_hash from feed_tokens where user_id = ?")
      .bind(user.id)
      .all<{ token_hash: string }>();
    expect(stored.results).toEqual([{ token_hash: await sha256Hex(token) }]);
    expect(JSON.stringify(stored.results)).not.toContain(token);
    const listed = await listFeeds(sessionToken);
    expect(listed).toEqual([{ id: created.id, includePrivate: false, createdAt: created.createdAt, lastReadAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(token);

    const { body, atom } = await readFeed(created.url);
    expect(atom.namespace).toBe("http://www.w3.org/2005/Atom");
    expect(atom.title).toBe("What changed in feed-owner's GitHub stars");
    expect(atom.selfLink).toBe(created.url);
    expect(atom.entries.map((entry) => [entry.category, entry.title])).toEqual([
      ["gone", "fo/deleted was deleted"],
      ["archived", "fo/archived was archived"],
      ["release", "fo/released released v2.0.0: Two"],
    ]);
    expect(atom.updated).toBe(atom.entries[0]!.updated);
    expect(atom.entries[2]).toMatchObject({
      link: "https://github.com/fo/released/releases/tag/v2.0.0",
      summary: "A fast thing",
    });
    expect(atom.entries[0]!.summary).toContain("Your star, notes and tags are kept");
    // Not the user's notes, not a private repository, not a star they dropped, nothing older than the window.
    for (const absent of ["my private note", "a note about", "secret-plans", "dropped", "long-ago"]) {
      expect(body).not.toContain(absent);
    }
    // A reader's fetch is remembered (to the hour).
    expect((await listFeeds(sessionToken))[0]!.lastReadAt).not.toBeNull();
  });

  it("gives each entry the same id on every fetch, after a sync's changes and a rename", async () => {
    const { sessionToken, user } = await signIn("feed-ids", 0);
    await seedFeedLibrary(user.id, "fi");
    const { url } = await createFeed(sessionToken);
    const first = (await readFeed(url)).atom;
    const ids = new Map(first.entries.map((entry) => [entry.title, entry.id]));
    expect(new Set(ids.values()).size).toBe(3);
    for (const id of ids.values()) expect(id).toMatch(/^tag:starwise\.test,2026:(release|archived|gone)\/\d+\//);

    // A sync learns a new release elsewhere and a rename (same GitHub id, new name): the old entries keep their ids.
    await seedHealthy(user.id, "fi/newer", { releaseTag: "v3", releaseAt: ago(0.5) });
    await env.DB.prepare(
      "update repositories set full_name = 'fi/archived-renamed' where full_name = 'fi/archived'",
    ).run();
    const second = (await readFeed(url)).atom;
    expect(second.entries).toHaveLength(4);
    expect(second.entries[0]!.title).toBe("fi/newer released v3");
    const renamed = second.entries.find((entry) => entry.title === "fi/archived-renamed was archived");
    expect(renamed?.id).toBe(ids.get("fi/archived was archived"));
    for (const entry of second.entries.slice(1)) expect([...ids.values()]).toContain(entry.id);
    expect(second.id).toBe(first.id);
  });

  it("writes untrusted text as text: markup escaped, XML-illegal and direction controls removed", async () => {
    const { sessionToken, user } = await signIn("feed-escape", 0);
    const hostile =
      "<script>alert('x')</script> & <![CDATA[ ]]> \"quoted\" \u0000nul\u0008 \u001b[31m " +
      "photo\u202Egnp.exe \u2066iso\u2069 \u200Fmark \u0085c1 \uFFFE end";
    await seedHealthy(
      user.id,
      "fe/hostile",
      { releaseTag: "v1</title><x>&amp;", releaseName: "]]><evil/>\u202E", releaseAt: ago(1) },
      {},
      hostile,
    );
    const { url } = await createFeed(sessionToken);
    const { body, atom } = await readFeed(url);
    // The strict parser read it (it throws on anything not well-formed), and the text is what was written.
    expect(atom.entries).toHaveLength(1);
    const [entry] = atom.entries;
    expect(entry!.summary).toBe(
      "<script>alert('x')</script> & <![CDATA[ ]]> \"quoted\" nul [31m photognp.exe iso mark c1  end",
    );
    expect(entry!.title).toBe("fe/hostile released v1</title><x>&amp;: ]]><evil/>");
    expect(entry!.link).toBe("https://github.com/fe/hostile/releases/tag/v1%3C%2Ftitle%3E%3Cx%3E%26amp%3B");
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("<evil/>");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
    expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
  });

  it("names private repositories only in a feed made to include them, in the user's language", async () => {
    const { sessionToken, user } = await signIn("feed-private", 0);
    await seedFeedLibrary(user.id, "fp");
    await env.DB.prepare("update users set language = 'zh' where id = ?").bind(user.id).run();
    const open = await createFeed(sessionToken, { includePrivate: true });
    expect(open.includePrivate).toBe(true);
    const { atom } = await readFeed(open.url);
    expect(atom.language).toBe("zh-CN");
    expect(atom.entries.map((entry) => entry.title)).toContain("fp/secret-plans 发布了 v1.0.0");
    expect(atom.entries.map((entry) => entry.title)).toContain("fp/deleted 已被删除");
    const closed = await createFeed(sessionToken);
    expect((await readFeed(closed.url)).body).not.toContain("secret-plans");

    const bad = await workerFetch(`${BASE}/api/feeds`, {
      method: "POST",
      headers: { ...bearer(sessionToken), "Content-Type": "application/json" },
      body: JSON.stringify({ includePrivate: "yes" }),
    });
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(await bad.json()).error.message).toContain("includePrivate must be true or false");
  });

  it("stops serving a revoked feed at once, and a new one has a new URL", async () => {
    const { sessionToken, user } = await signIn("feed-revoke", 0);
    await seedFeedLibrary(user.id, "fr");
    const first = await createFeed(sessionToken);
    await readFeed(first.url);
    expect((await revoke(sessionToken, first.id)).status).toBe(204);

    const gone = await workerFetch(first.url);
    expect(gone.status).toBe(404);
    expect(ErrorBody.parse(await gone.json()).error.message).toContain("revoked");
    expect(await listFeeds(sessionToken)).toEqual([]);
    const again = await revoke(sessionToken, first.id);
    expect(again.status).toBe(404);

    const second = await createFeed(sessionToken);
    expect(second.url).not.toBe(first.url);
    expect(second.id).not.toBe(first.id);
    expect((await readFeed(second.url)).atom.entries).toHaveLength(3);
    expect((await workerFetch(first.url)).status).toBe(404);
  });

  it("never reaches another user's feed or stars: not by id, not by token, not after the account is gone", async () => {
    const alice = await signIn("feed-alice", 0);
    const bob = await signIn("feed-bob", 0);
    await seedFeedLibrary(alice.user.id, "fa");
    await seedHealthy(bob.user.id, "fb/own", { releaseTag: "b1", releaseAt: ago(1) });
    const alicesFeed = await createFeed(alice.sessionToken);
    const bobsFeed = await createFeed(bob.sessionToken);

    expect((await revoke(bob.sessionToken, alicesFeed.id)).status).toBe(404);
    expect((await listFeeds(bob.sessionToken)).map((feed) => feed.id)).toEqual([bobsFeed.id]);
    const bobs = await readFeed(bobsFeed.url);
    expect(bobs.atom.entries.map((entry) => entry.title)).toEqual(["fb/own released b1"]);
    expect(bobs.body).not.toContain("fa/");
    expect((await readFeed(alicesFeed.url)).atom.entries).toHaveLength(3);

    // Deleting the account deletes its feeds with it.
    const deleted = await workerFetch(`${BASE}/api/me`, { method: "DELETE", headers: bearer(alice.sessionToken) });
    expect(deleted.status).toBe(204);
    expect((await workerFetch(alicesFeed.url)).status).toBe(404);
    const left = await env.DB.prepare("select count(*) n from feed_tokens where user_id = ?")
      .bind(alice.user.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("keeps at most FEEDS_PER_USER feeds, and says how to make room", async () => {
    const { sessionToken } = await signIn("feed-cap", 0);
    const made = [];
    for (let i = 0; i < FEEDS_PER_USER; i++) made.push(await createFeed(sessionToken));
    const refused = await workerFetch(`${BASE}/api/feeds`, {
      method: "POST",
      headers: { ...bearer(sessionToken), "Content-Type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(409);
    expect(ErrorBody.parse(await refused.json()).error).toMatchObject({ code: "conflict" });
    expect((await revoke(sessionToken, made[0]!.id)).status).toBe(204);
    await createFeed(sessionToken);
    expect(await listFeeds(sessionToken)).toHaveLength(FEEDS_PER_USER);
  });

  it("refuses an address that is not a feed's, and needs a session to manage feeds", async () => {
    expect((await workerFetch(`${BASE}/feed/not-a-token`)).status).toBe(400);
    expect((await workerFetch(`${BASE}/feed/swf_${"A".repeat(43)}`)).status).toBe(404);
    expect((await workerFetch(`${BASE}/api/feeds`)).status).toBe(401);
    expect((await workerFetch(`${BASE}/api/feeds`, { method: "POST" })).status).toBe(401);
  });
});
