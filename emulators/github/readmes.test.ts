// README variety: symlinked, binary and BOM-prefixed READMEs through REST and GraphQL, with git
// modes and blob shas computed over the bytes, and the ground truth a correct client must match.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulatorClient, type GroundTruthStar } from "./client.ts";
import { startGithubEmulator, type GithubEmulator } from "./server.ts";
import { call, callJson, graphql, openapiErrors } from "./test-helpers.ts";

let emulator: GithubEmulator;
let truth: GroundTruthStar[];

beforeAll(async () => {
  emulator = await startGithubEmulator({ port: 0, stars: 3000, seed: 1, quiet: true });
  truth = (await createEmulatorClient(emulator.url).stars("octocat", { sha: true })).filter((s) => !s.private);
});
afterAll(() => emulator.close());

function gitBlobSha(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
function ofKind(kind: string): GroundTruthStar[] {
  return truth.filter((s) => s.readmeKind === kind);
}
async function rawBytes(fullName: string): Promise<{ bytes: Buffer; etag: string | null; text: string }> {
  const response = await call(emulator, `/repos/${fullName}/readme`, { accept: "application/vnd.github.raw+json" });
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.clone().arrayBuffer());
  return { bytes, etag: response.headers.get("etag"), text: await response.text() };
}
async function gqlObject(fullName: string, expression: string) {
  const [o, n] = fullName.split("/");
  const { body } = await graphql(
    emulator,
    `query ($o: String!, $n: String!, $e: String!) { repository(owner: $o, name: $n) { object(expression: $e) {
       ... on Blob { oid text isBinary byteSize isTruncated }
       ... on Tree { oid entries { name type mode oid path } } } } }`,
    { o, n, e: expression },
  );
  expect(body.errors).toBeUndefined();
  return body.data.repository.object;
}

describe("README kinds in the data", () => {
  it("has roughly 1% each of symlinked, binary and BOM READMEs, deterministic by seed", () => {
    for (const kind of ["symlink", "binary", "bom"]) {
      const share = ofKind(kind).length / truth.length;
      expect(share, kind).toBeGreaterThan(0.003);
      expect(share, kind).toBeLessThan(0.02);
    }
    expect(ofKind("text").length / truth.length).toBeGreaterThan(0.9);
  });
});

describe("symlinked READMEs", () => {
  it("are a 120000 tree entry whose Blob.text is the target, and REST follows the link", async () => {
    const links = ofKind("symlink");
    expect(links.length).toBeGreaterThan(3);
    for (const star of links.slice(0, 4)) {
      expect(star.readmeTarget).toBe("docs/README.md");
      const root = await gqlObject(star.fullName, "HEAD:");
      const entry = root.entries.find((e: any) => e.name === star.readmePath);
      expect(entry).toMatchObject({ type: "blob", mode: 0o120000 });
      expect(entry.mode).toBe(40960);
      expect(entry.oid).toBe(gitBlobSha(Buffer.from("docs/README.md")));
      expect(entry.oid).toBe(star.readmeEntrySha);
      expect(root.entries.find((e: any) => e.name === "docs")).toMatchObject({ type: "tree", mode: 16384 });
      for (const file of root.entries.filter((e: any) => e.type === "blob" && e.name !== star.readmePath))
        expect(file.mode).toBe(33188);
      // The root tree's oid is git's, computed with each entry's mode (a symlink hashes as 120000).
      const treeBody = Buffer.concat(
        root.entries.map((e: any) =>
          Buffer.concat([Buffer.from(`${e.mode.toString(8)} ${e.name}\0`), Buffer.from(e.oid, "hex")]),
        ),
      );
      expect(createHash("sha1").update(`tree ${treeBody.length}\0`).update(treeBody).digest("hex")).toBe(root.oid);

      const link = await gqlObject(star.fullName, `HEAD:${star.readmePath}`);
      expect(link).toMatchObject({ text: "docs/README.md", isBinary: false, byteSize: 14, oid: entry.oid });
      const target = await gqlObject(star.fullName, "HEAD:docs/README.md");
      expect(target.oid).toBe(star.readmeSha);
      expect(gitBlobSha(Buffer.from(target.text, "utf8"))).toBe(star.readmeSha);

      const json = await callJson(emulator, `/repos/${star.fullName}/readme`);
      expect(openapiErrors("content-file", json.body)).toEqual([]);
      expect(json.body).toMatchObject({ type: "file", path: star.readmePath, sha: star.readmeSha });
      expect(gitBlobSha(Buffer.from(json.body.content, "base64"))).toBe(star.readmeSha);
      const raw = await rawBytes(star.fullName);
      expect(raw.etag).toBe(`"${star.readmeSha}"`);
      expect(gitBlobSha(raw.bytes)).toBe(star.readmeSha);
      expect(raw.text).toBe(target.text);
    }
  });
});

describe("binary READMEs", () => {
  it("have isBinary true and text null in GraphQL, and REST serves the bytes", async () => {
    const binaries = ofKind("binary");
    expect(binaries.length).toBeGreaterThan(3);
    for (const star of binaries.slice(0, 4)) {
      expect(star.readmeSha).toBeNull(); // no usable README
      const raw = await rawBytes(star.fullName);
      expect(raw.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
      expect(raw.bytes.includes(0)).toBe(true);
      const blob = await gqlObject(star.fullName, `HEAD:${star.readmePath}`);
      expect(blob).toMatchObject({ isBinary: true, text: null, isTruncated: false, byteSize: raw.bytes.length });
      expect(blob.oid).toBe(gitBlobSha(raw.bytes));
      expect(blob.oid).toBe(star.readmeEntrySha);
      expect(raw.etag).toBe(`"${blob.oid}"`);
      const json = await callJson(emulator, `/repos/${star.fullName}/readme`);
      expect(Buffer.from(json.body.content, "base64").equals(raw.bytes)).toBe(true);
      expect(json.body.sha).toBe(blob.oid);
      expect(json.body.size).toBe(raw.bytes.length);
    }
  });
});

describe("BOM-prefixed READMEs", () => {
  it("keep the BOM in the bytes and in Blob.text; the sha is over the bytes, not decoded text", async () => {
    const boms = ofKind("bom");
    expect(boms.length).toBeGreaterThan(3);
    for (const star of boms.slice(0, 4)) {
      const raw = await rawBytes(star.fullName);
      expect(raw.bytes.subarray(0, 3).toString("hex")).toBe("efbbbf");
      expect(gitBlobSha(raw.bytes)).toBe(star.readmeSha);
      expect(raw.etag).toBe(`"${star.readmeSha}"`);
      // The trap: fetch's text() drops the BOM, so hashing decoded text gives another sha.
      expect(raw.text.startsWith("\uFEFF")).toBe(false);
      expect(gitBlobSha(Buffer.from(raw.text, "utf8"))).not.toBe(star.readmeSha);

      const blob = await gqlObject(star.fullName, `HEAD:${star.readmePath}`);
      expect(blob.oid).toBe(star.readmeSha);
      expect(blob.isBinary).toBe(false);
      expect(blob.text.startsWith("\uFEFF")).toBe(true);
      expect(gitBlobSha(Buffer.from(blob.text, "utf8"))).toBe(star.readmeSha);
      expect(blob.byteSize).toBe(raw.bytes.length);

      const json = await callJson(emulator, `/repos/${star.fullName}/readme`);
      expect(json.body.sha).toBe(star.readmeSha);
      expect(Buffer.from(json.body.content, "base64").equals(raw.bytes)).toBe(true);
    }
  });
});

describe("READMEs changed by a push", () => {
  it("moves a README to another name: the same blob, a new path in the tree and in REST", async () => {
    const ctl = createEmulatorClient(emulator.url);
    const star = ofKind("text").find((s) => s.readmePath === "README.md")!;
    const pushed = await ctl.push({ fullName: star.fullName, readmePath: "readme.md" });
    expect(pushed).toMatchObject({ readmePath: "readme.md", readmeSha: star.readmeSha });
    const root = await gqlObject(star.fullName, "HEAD:");
    const entry = root.entries.find((e: { name: string }) => e.name === "readme.md");
    expect(entry).toMatchObject({ mode: 33188, oid: star.readmeSha });
    expect(root.entries.some((e: { name: string }) => e.name === "README.md")).toBe(false);
    const json = await callJson(emulator, `/repos/${star.fullName}/readme`);
    expect(json.body).toMatchObject({ path: "readme.md", sha: star.readmeSha });
  });

  it("makes a README a symlink to a target of any name, which REST follows", async () => {
    const ctl = createEmulatorClient(emulator.url);
    const star = ofKind("text").filter((s) => s.readmePath === "README.md")[3]!;
    const pushed = await ctl.push({
      fullName: star.fullName,
      readme: "# Linked\n\nThe text lives in docs/index.md.\n",
      readmeLinkTo: "docs/index.md",
    });
    expect(pushed).toMatchObject({ readmePath: "README.md", readmeTarget: "docs/index.md" });
    const root = await gqlObject(star.fullName, "HEAD:");
    const link = root.entries.find((e: { name: string }) => e.name === "README.md");
    expect(link.mode).toBe(40960);
    expect((await gqlObject(star.fullName, "HEAD:README.md")).text).toBe("docs/index.md");
    expect((await gqlObject(star.fullName, "HEAD:docs/index.md")).text).toBe(
      "# Linked\n\nThe text lives in docs/index.md.\n",
    );
    const json = await callJson(emulator, `/repos/${star.fullName}/readme`);
    expect(json.body.path).toBe("README.md");
    expect(Buffer.from(json.body.content, "base64").toString("utf8")).toBe(
      "# Linked\n\nThe text lives in docs/index.md.\n",
    );
    expect(
      (
        await fetch(`${emulator.url}/_emulator/push`, {
          method: "POST",
          body: JSON.stringify({ fullName: star.fullName, readmePath: "../x" }),
        })
      ).status,
    ).toBe(422);
  });
});
