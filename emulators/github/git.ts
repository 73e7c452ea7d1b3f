// Git object ids and GitHub global node ids, computed the way git and GitHub do, so that clients
// can compare them with real-world values (e.g. a README's blob sha as its ETag).
import { createHash } from "node:crypto";

/** `git hash-object`: sha1 of "blob <byte length>\0<content>". */
export function blobSha(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export interface TreeItem {
  name: string;
  type: "blob" | "tree";
  sha: string;
  /** git's octal mode; default "40000" for trees and "100644" for blobs ("120000": a symlink). */
  mode?: string;
}

/** Sorts entries as git does: byte order, with tree names compared as if they ended in "/". */
export function sortTreeItems<T extends Pick<TreeItem, "name" | "type">>(items: readonly T[]): T[] {
  const key = (item: T) => (item.type === "tree" ? `${item.name}/` : item.name);
  return [...items].sort((a, b) => Buffer.compare(Buffer.from(key(a)), Buffer.from(key(b))));
}

/** `git mktree`: sha1 of "tree <len>\0" + entries of "<mode> <name>\0<20-byte sha>". */
export function treeSha(items: readonly TreeItem[]): string {
  const parts = sortTreeItems(items).map((item) =>
    Buffer.concat([
      Buffer.from(`${item.mode ?? (item.type === "tree" ? "40000" : "100644")} ${item.name}\0`),
      Buffer.from(item.sha, "hex"),
    ]),
  );
  const body = Buffer.concat(parts);
  return createHash("sha1").update(`tree ${body.length}\0`).update(body).digest("hex");
}

export function sha1Hex(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

// GitHub's "next" global node ids are `<prefix>_` + base64url(msgpack([0, databaseId])), e.g.
// R_kgDOGq0JdA: 0x92 (2-element array), 0x00 (template 0), 0xce + uint32 id.
function encodeMsgpackUint(value: number): Buffer {
  if (value < 0x80) return Buffer.from([value]);
  if (value < 0x100) return Buffer.from([0xcc, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = 0xcd;
    b.writeUInt16BE(value, 1);
    return b;
  }
  if (value < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = 0xce;
    b.writeUInt32BE(value, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xcf;
  b.writeBigUInt64BE(BigInt(value), 1);
  return b;
}

export function encodeNodeId(prefix: string, databaseId: number): string {
  const payload = Buffer.concat([Buffer.from([0x92, 0x00]), encodeMsgpackUint(databaseId)]);
  return `${prefix}_${payload.toString("base64url")}`;
}

/** Inverse of encodeNodeId; undefined for anything that is not such an id. */
export function decodeNodeId(id: string): { prefix: string; databaseId: number } | undefined {
  const match = /^([A-Z]{1,3})_([A-Za-z0-9_-]+)$/.exec(id);
  if (!match) return undefined;
  const bytes = Buffer.from(match[2] as string, "base64url");
  if (bytes.length < 3 || bytes[0] !== 0x92 || bytes[1] !== 0x00) return undefined;
  const tag = bytes[2] as number;
  let value: number | undefined;
  if (tag < 0x80 && bytes.length === 3) value = tag;
  else if (tag === 0xcc && bytes.length === 4) value = bytes[3];
  else if (tag === 0xcd && bytes.length === 5) value = bytes.readUInt16BE(3);
  else if (tag === 0xce && bytes.length === 7) value = bytes.readUInt32BE(3);
  else if (tag === 0xcf && bytes.length === 11) value = Number(bytes.readBigUInt64BE(3));
  if (value === undefined) return undefined;
  // Reject non-canonical encodings so that one repository has exactly one id.
  if (encodeNodeId(match[1] as string, value) !== id) return undefined;
  return { prefix: match[1] as string, databaseId: value };
}
