import { describe, expect, it } from "vitest";
import { errorCodes } from "../shared/errors";
import { BASE, env, signIn, workerFetch } from "./test/helpers";
import { doneOf, fastWorkflows, syncOnce } from "./test/sync-helpers";

// Hostile input over the whole API (issue 10, "Hostile input"): malformed, oversized, mistyped and
// invalid-UTF-8 bodies on every JSON route; path tricks in :owner/:name; FTS syntax and huge
// queries in search; huge name lists in lookup. Each gets a 4xx in the error contract (or a
// normal answer), never a 500 and never a stored row.

type Route = { method: string; path: string; valid: unknown };
const JSON_ROUTES: Route[] = [
  { method: "POST", path: "/api/auth/token", valid: { githubToken: "emulator-token-nobody" } },
  { method: "PUT", path: "/api/settings", valid: { language: "zh" } },
  { method: "POST", path: "/api/repositories/save", valid: { fullName: "octocat/Hello-World" } },
  { method: "POST", path: "/api/repositories/lookup", valid: { fullNames: ["a/b"] } },
  { method: "PATCH", path: "/api/repositories/hostile/repo", valid: { notes: "x" } },
];

const encoder = new TextEncoder();
const MIB = 1024 * 1024;

async function expectContract(response: Response, label: string, statuses: number[]) {
  expect(statuses, `${label}: HTTP ${response.status}`).toContain(response.status);
  if (response.status >= 400) {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(errorCodes as readonly string[], `${label}: ${JSON.stringify(body)}`).toContain(body.error?.code);
    expect(body.error?.message, label).toBeTruthy();
  } else {
    await response.body?.cancel();
  }
}

describe("hostile bodies on every JSON route", () => {
  const bodies: Array<[string, BodyInit, string, number[]]> = [
    ["malformed JSON", '{"notes": "x",', "application/json", [400]],
    ["a JSON array", "[]", "application/json", [400]],
    ["JSON null", "null", "application/json", [400]],
    ["a number where an object belongs", "42", "application/json", [400]],
    [
      "wrong types everywhere",
      JSON.stringify({ notes: 42, language: ["en"], fullName: { a: 1 }, fullNames: "a/b", githubToken: 7 }),
      "application/json",
      [400],
    ],
    ["deeply nested", `${"[".repeat(5000)}${"]".repeat(5000)}`, "application/json", [400]],
    [
      "invalid UTF-8 bytes",
      new Uint8Array([0x7b, 0x22, 0x6e, 0x6f, 0x74, 0x65, 0x73, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
      "application/json",
      [400],
    ],
    [
      "a lone surrogate",
      '{"notes": "\\ud800", "language": "\\udfff", "fullName": "a/\\ud800", ' +
        '"fullNames": ["\\ud800"], "githubToken": "\\ud800"}',
      "application/json",
      [400],
    ],
    ["a form body", "notes=x", "application/x-www-form-urlencoded", [415]],
    ["no content type", '{"notes":"x"}', "", [415]],
    ["over 1 MiB", encoder.encode(JSON.stringify({ notes: "x".repeat(MIB) })), "application/json", [413]],
  ];

  it.each(JSON_ROUTES)("$method $path: a clear 4xx for each, never a 500, nothing stored", async (route) => {
    const { sessionToken, user } = await signIn(
      `hostile-${route.method.toLowerCase()}-${route.path.split("/").pop()}`,
      2,
    );
    const before = await env.DB.prepare(
      "select count(*) n, coalesce(group_concat(notes), '') notes from stars where user_id = ?",
    )
      .bind(user.id)
      .first();
    for (const [label, body, type, statuses] of bodies) {
      const headers: Record<string, string> = { Authorization: `Bearer ${sessionToken}` };
      if (type) headers["Content-Type"] = type;
      const response = await workerFetch(`${BASE}${route.path}`, { method: route.method, headers, body });
      // Sign-in answers 401 for a token GitHub does not know; everything it is sent here is refused before.
      await expectContract(response, `${route.method} ${route.path} with ${label}`, statuses);
    }
    const after = await env.DB.prepare(
      "select count(*) n, coalesce(group_concat(notes), '') notes from stars where user_id = ?",
    )
      .bind(user.id)
      .first();
    expect(after).toEqual(before);
  });

  it("a body that is not UTF-8 is refused, not stored with replacement characters", async () => {
    await using _ = await fastWorkflows();
    const { sessionToken, user } = await signIn("hostile-utf8", 2);
    doneOf(await syncOnce(sessionToken));
    const [star] = (
      await env.DB.prepare(
        "select r.full_name from stars s join repositories r on r.id = s.repository_id where s.user_id = ?",
      )
        .bind(user.id)
        .all<{ full_name: string }>()
    ).results;
    const fullName = star!.full_name;
    // {"notes":"<ff fe>ok"}: two bytes that are not UTF-8 in an otherwise fine body.
    const body = new Uint8Array([...encoder.encode('{"notes":"'), 0xff, 0xfe, ...encoder.encode('ok"}')]);
    const response = await workerFetch(`${BASE}/api/repositories/${fullName}`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
      body,
    });
    await expectContract(response, "PATCH with invalid UTF-8", [400]);
    const notes = await env.DB.prepare(
      "select s.notes from stars s join repositories r on r.id = s.repository_id " +
        "where s.user_id = ? and r.full_name = ?",
    )
      .bind(user.id, fullName)
      .first<{ notes: string | null }>();
    expect(notes?.notes).toBeNull();
  });

  it("lookup: 100 names of 200 characters are fine, 101 names or 100,000 are refused", async () => {
    const { sessionToken } = await signIn("hostile-lookup", 2);
    const post = (fullNames: unknown) =>
      workerFetch(`${BASE}/api/repositories/lookup`, {
        method: "POST",
        headers: { Authorization: `Bearer ${sessionToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ fullNames }),
      });
    await expectContract(
      await post(Array.from({ length: 100 }, (_, i) => `${"o".repeat(100)}/${String(i).padEnd(99, "n")}`)),
      "100 long names",
      [200],
    );
    await expectContract(await post(Array.from({ length: 101 }, (_, i) => `o/n${i}`)), "101 names", [400]);
    await expectContract(
      await post(Array.from({ length: 100_000 }, (_, i) => `owner/name-${i}`)),
      "100,000 names",
      [400, 413],
    );
    await expectContract(await post([`o/${"n".repeat(250)}`]), "a 250-character name", [400]);
    await expectContract(
      await post(["", "/", "a", "a/b/c", "../../etc/passwd", "<script>alert(1)</script>/x"]),
      "odd names",
      [200, 400],
    );
  });
});

describe("path tricks in :owner/:name", () => {
  const tricks = [
    "..%2F..%2Fapi/me",
    "%2e%2e/%2e%2e",
    "a%2Fb/c",
    "owner/name%00",
    "owner/name%0d%0aSet-Cookie:%20x=1",
    "owner/..",
    "owner/.",
    "-/-",
    "owner/name.git",
    `${"o".repeat(300)}/name`,
    "%F0%9F%98%80/%E4%B8%AD%E6%96%87",
    "%ff%fe/name",
    "owner/name%20",
    "own%20er/name",
  ];
  it.each(tricks)("GET, PATCH and similar of %s: 400 or 404, never a 500", async (trick) => {
    const { sessionToken } = await signIn("hostile-paths", 2);
    const auth = { Authorization: `Bearer ${sessionToken}` };
    await expectContract(
      await workerFetch(`${BASE}/api/repositories/${trick}`, { headers: auth }),
      `GET ${trick}`,
      [400, 404],
    );
    await expectContract(
      await workerFetch(`${BASE}/api/repositories/${trick}/similar`, { headers: auth }),
      `similar ${trick}`,
      [400, 404],
    );
    await expectContract(
      await workerFetch(`${BASE}/api/repositories/${trick}`, {
        method: "PATCH",
        headers: { ...auth, "Content-Type": "application/json" },
        body: JSON.stringify({ notes: "x" }),
      }),
      `PATCH ${trick}`,
      [400, 404],
    );
  });
});

describe("search: query syntax is text", () => {
  const queries = [
    '"',
    '""',
    "'",
    "*",
    "^",
    "-",
    "NEAR(a b)",
    "a NEAR b",
    "a OR b",
    "a AND NOT b",
    "(",
    ")",
    "((a)",
    "col:value",
    "{a b}:c",
    "name:react",
    "a*b*",
    "\\",
    "%",
    "_",
    "';drop table stars;--",
    "\u0000",
    '框架"OR"1',
    "🙂🙂🙂",
    "x".repeat(200),
    "a ".repeat(100),
  ];
  it("answers every operator and odd query with 200 or a clear 400, never a 500", async () => {
    const { sessionToken } = await signIn("hostile-search", 2);
    const auth = { Authorization: `Bearer ${sessionToken}` };
    for (const q of queries) {
      await expectContract(
        await workerFetch(`${BASE}/api/search?q=${encodeURIComponent(q)}`, { headers: auth }),
        `search ${JSON.stringify(q)}`,
        [200, 400],
      );
      await expectContract(
        await workerFetch(`${BASE}/api/repositories?q=${encodeURIComponent(q)}`, { headers: auth }),
        `list q=${JSON.stringify(q)}`,
        [200, 400],
      );
    }
    await expectContract(
      await workerFetch(`${BASE}/api/search?q=${"x".repeat(5000)}`, { headers: auth }),
      "a 5,000-character query",
      [400],
    );
    await expectContract(
      await workerFetch(`${BASE}/api/search?q=a&limit=100000`, { headers: auth }),
      "limit 100,000",
      [400],
    );
    await expectContract(await workerFetch(`${BASE}/api/search?q=a&limit=-1`, { headers: auth }), "limit -1", [400]);
    await expectContract(await workerFetch(`${BASE}/api/search?q=a&q=b`, { headers: auth }), "two q", [400]);
    await expectContract(
      await workerFetch(`${BASE}/api/search?q=%ff`, { headers: auth }),
      "invalid UTF-8 in the URL",
      [200, 400],
    );
  });
});
