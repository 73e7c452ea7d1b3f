import { describe, expect, it } from "vitest";
import { ErrorBody } from "../../shared/errors";
import { LibraryExport, RepositoryItem } from "../../shared/repositories";
import { BASE, api, env, signIn, workerFetch } from "../test/helpers";
import { csvCell } from "./export";

/** `count` repositories `<prefix>/r<i>` starred by `userId`, in one statement each; star times tie in groups of 7. */
async function seedBulk(userId: number, prefix: string, count: number, firstGithubId: number) {
  await env.DB.prepare(
    `with recursive n(i) as (select 0 union all select i + 1 from n where i + 1 < ?)
     insert into repositories (github_id, full_name, name, owner_login, html_url, readme_content, ` +
      `created_at, updated_at)
     select ? + i, ? || '/r' || i, 'r' || i, ?, 'https://github.com/' || ? || '/r' || i, ` +
      "'README TEXT ' || i, 0, 0 from n",
  )
    .bind(count, firstGithubId, prefix, prefix, prefix)
    .run();
  await env.DB.prepare(
    `insert into stars (user_id, repository_id, starred_at, is_starred, created_at)
     select ?, id, 1700000000000 + (github_id % ?) * 1000, 1, 0 from repositories where owner_login = ?`,
  )
    .bind(userId, Math.ceil(count / 7), prefix)
    .run();
}

async function seedOne(
  userId: number,
  githubId: number,
  fullName: string,
  fields: Record<string, string | number | null>,
) {
  const [owner, name] = fullName.split("/");
  const repo = await env.DB.prepare(
    "insert into repositories (github_id, full_name, name, owner_login, html_url, description, readme_content, " +
      `is_private, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, 0, 0) returning id`,
  )
    .bind(
      githubId,
      fullName,
      name,
      owner,
      `https://github.com/${fullName}`,
      fields.description ?? null,
      fields.readme ?? null,
      fields.isPrivate ?? 0,
    )
    .first<{ id: number }>();
  await env.DB.prepare(
    "insert into stars (user_id, repository_id, starred_at, is_starred, is_saved, notes, custom_tags, " +
      `custom_category, custom_description, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  )
    .bind(
      userId,
      repo?.id,
      fields.starredAt ?? Date.UTC(2026, 0, 1),
      fields.isStarred ?? 1,
      fields.isSaved ?? 0,
      fields.notes ?? null,
      fields.customTags ?? null,
      fields.customCategory ?? null,
      fields.customDescription ?? null,
    )
    .run();
}

const exportOf = (session: string, query = "") =>
  workerFetch(`${BASE}/api/export${query}`, { headers: { Authorization: `Bearer ${session}` } });

/** A strict RFC 4180 parser (CRLF records, quoted fields), to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`bare quote in unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ",") {
      i++;
    } else if (text.startsWith("\r\n", i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
    }
  }
  if (record.length) throw new Error("last record not CRLF-terminated");
  return records;
}

const today = () => new Date().toISOString().slice(0, 10);

describe("GET /api/export", () => {
  it("streams the whole library as JSON in star order, chunk boundaries and ties included", async () => {
    const { sessionToken, user } = await signIn("export-json");
    await seedBulk(user.id, "exp-bulk", 1203, 95_000_000);
    await seedOne(user.id, 95_100_001, "exp/private", {
      isPrivate: 1,
      readme: "SECRET README BODY",
      notes: "note, with comma",
      starredAt: Date.UTC(2030, 0, 1),
    });
    await seedOne(user.id, 95_100_002, "exp/unstarred", {
      isStarred: 0,
      notes: "kept",
      starredAt: Date.UTC(2001, 0, 1),
    });

    const response = await exportOf(sessionToken);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="starwise-export-json-${today()}.json"`,
    );
    const text = await response.text();
    expect(text).not.toContain("README TEXT");
    expect(text).not.toContain("SECRET README BODY");
    const body = LibraryExport.parse(JSON.parse(text));
    expect(body.user).toEqual({ login: "export-json" });
    expect(Math.abs(Date.parse(body.exportedAt) - Date.now())).toBeLessThan(60_000);

    const names = body.repositories.map((item) => item.fullName);
    expect(names).toHaveLength(1205);
    expect(new Set(names).size).toBe(1205);
    expect(names[0]).toBe("exp/private");
    expect(names.at(-1)).toBe("exp/unstarred");
    expect(body.repositories[0]).toMatchObject({ isPrivate: true, notes: "note, with comma" });
    expect(body.repositories.at(-1)).toMatchObject({ isStarred: false, notes: "kept" });
    // Newest star first; within a tie, the later-added repository first (the list's order).
    for (let i = 1; i < body.repositories.length; i++) {
      const previous = Date.parse(body.repositories[i - 1]?.starredAt ?? "");
      const current = Date.parse(body.repositories[i]?.starredAt ?? "");
      expect(current).toBeLessThanOrEqual(previous);
    }
  });

  it("gives an empty library as an empty list (JSON) or only the header (CSV)", async () => {
    const { sessionToken } = await signIn("export-empty");
    const json = await api(sessionToken).api.export.$get({ query: {} });
    expect(LibraryExport.parse(await json.json()).repositories).toEqual([]);
    const csv = await exportOf(sessionToken, "?format=csv");
    expect(parseCsv(await csv.text())).toEqual([Object.keys(RepositoryItem.shape)]);
  });

  it("writes RFC 4180 CSV that a spreadsheet cannot execute", async () => {
    const { sessionToken, user } = await signIn("export-csv");
    await seedOne(user.id, 95_200_001, "csv/hostile", {
      description: '=HYPERLINK("http://evil.example","click")',
      notes: 'Line 1, "quoted"\r\nLine 2\n<script>alert(1)</script>',
      customTags: JSON.stringify(["-1+2", "@SUM(A1)", "plain"]),
      customCategory: "+cat",
      customDescription: "\tTabbed",
      starredAt: Date.UTC(2026, 3, 4),
    });
    await seedOne(user.id, 95_200_002, "csv/plain", {
      description: "<b>bold</b> & 'single' quotes, 中文",
      starredAt: Date.UTC(2026, 3, 3),
    });

    const response = await exportOf(sessionToken, "?format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="starwise-export-csv-${today()}.csv"`,
    );
    const text = await response.text();
    const [header, ...rows] = parseCsv(text);
    const columns = Object.keys(RepositoryItem.shape);
    expect(header).toEqual(columns);
    expect(rows).toHaveLength(2);
    const cell = (row: string[] | undefined, column: string) => row?.[columns.indexOf(column)];
    const [hostile, plain] = rows;

    expect(cell(hostile, "fullName")).toBe("csv/hostile");
    expect(cell(hostile, "description")).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(cell(hostile, "notes")).toBe('Line 1, "quoted"\r\nLine 2\n<script>alert(1)</script>');
    expect(cell(hostile, "customTags")).toBe("'-1+2; @SUM(A1); plain");
    expect(cell(hostile, "customCategory")).toBe("'+cat");
    expect(cell(hostile, "customDescription")).toBe("'\tTabbed");
    expect(cell(hostile, "isStarred")).toBe("true");
    expect(cell(hostile, "starredAt")).toBe("2026-04-04T00:00:00.000Z");
    expect(cell(hostile, "openrank")).toBe("");
    expect(cell(plain, "description")).toBe("<b>bold</b> & 'single' quotes, 中文");
    // No cell of any row starts with a formula trigger.
    for (const row of rows) for (const value of row) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });

  it("rejects unknown formats and parameters, and needs a session", async () => {
    const { sessionToken } = await signIn("export-bad");
    for (const query of ["?format=xml", "?format=", "?as=csv"]) {
      const response = await exportOf(sessionToken, query);
      expect(response.status).toBe(400);
      expect(ErrorBody.parse(await response.json()).error.code).toBe("bad_request");
    }
    const anonymous = await workerFetch(`${BASE}/api/export`);
    expect(anonymous.status).toBe(401);
  });
});

describe("csvCell", () => {
  it.each([
    [null, ""],
    [0, "0"],
    [1.25, "1.25"],
    [true, "true"],
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["=1+1", "'=1+1"],
    ["+1", "'+1"],
    ["-1", "'-1"],
    ["@cmd", "'@cmd"],
    ["\tx", "'\tx"],
    ["\rx", `"'\rx"`],
    ['=cmd|" /C calc"!A0', `"'=cmd|"" /C calc""!A0"`],
    ["a=b", "a=b"],
    [["x", "=y"], "x; =y"],
    [["=x", "y"], "'=x; y"],
    [[], ""],
  ])("csvCell(%j) = %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe("GET /api/export?format=markdown", () => {
  it("is an awesome-list grouped by category, then first tag; untrusted text stays text", async () => {
    const { sessionToken, user } = await signIn("export-md");
    await seedOne(user.id, 91_000_001, "md/cli-tool", { description: "A tool", customCategory: "Command line" });
    await seedOne(user.id, 91_000_002, "md/tagged", {
      description: "Tagged one",
      customTags: JSON.stringify(["databases", "sql"]),
    });
    await seedOne(user.id, 91_000_003, "md/evil", {
      description: "<img src=x onerror=alert(1)> [click](javascript:alert(1))\n# not a heading",
      customCategory: "Command line",
    });
    await seedOne(user.id, 91_000_004, "md/plain", { description: null });
    await seedOne(user.id, 91_000_005, "md/gone", { description: "unstarred", isStarred: 0, notes: "kept for notes" });
    const response = await exportOf(sessionToken, "?format=markdown");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /^attachment; filename="starwise-export-md-\d{4}-\d{2}-\d{2}\.md"$/,
    );
    const text = await response.text();
    const lines = text.split("\n");
    const heading = (name: string) => lines.indexOf(`## ${name}`);
    // Sections sorted by name, "Other" last; the unstarred row is not in the list.
    expect(heading("Command line")).toBeGreaterThan(0);
    expect(heading("Command line")).toBeLessThan(heading("Databases"));
    expect(heading("Databases")).toBeLessThan(heading("Other"));
    expect(text).not.toContain("md/gone");
    expect(lines).toContain("- [md/cli\\-tool](https://github.com/md/cli-tool) — A tool");
    expect(lines).toContain("- [md/plain](https://github.com/md/plain)");
    const evil = lines.find((line) => line.includes("md/evil")) ?? "";
    // Every character that could open HTML, a link or a heading is escaped; one line.
    expect(evil).toContain(
      "\\<img src=x onerror=alert\\(1\\)\\> \\[click\\]\\(javascript:alert\\(1\\)\\) \\# not a heading",
    );
    expect(text).toContain("- [Command line](#command-line)");
  });
});
