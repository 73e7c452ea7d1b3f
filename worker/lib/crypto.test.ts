import { describe, expect, it } from "vitest";
import { ApiError } from "./errors";
import { SecretBox, newSessionToken, sha256Hex } from "./crypto";

const KEY = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i * 7)));

describe("SecretBox", () => {
  it("round-trips and never produces the same ciphertext twice", async () => {
    const box = new SecretBox(KEY);
    const a = await box.seal("ghp_secret", "github-token:1");
    const b = await box.seal("ghp_secret", "github-token:1");
    expect(a).not.toBe(b);
    expect(a).not.toContain("ghp_secret");
    expect(await box.open(a, "github-token:1")).toBe("ghp_secret");
  });

  it("does not open a ciphertext moved to another owner, or sealed with another key", async () => {
    const sealed = await new SecretBox(KEY).seal("ghp_secret", "github-token:1");
    await expect(new SecretBox(KEY).open(sealed, "github-token:2")).rejects.toThrow();
    const otherKey = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
    await expect(new SecretBox(otherKey).open(sealed, "github-token:1")).rejects.toThrow();
  });

  it.each([undefined, "", "c2hvcnQ=", "not base64 at all!"])("refuses a missing or bad key (%s)", async (key) => {
    const error = await new SecretBox(key).seal("x", "y").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("not_configured");
  });
});

describe("tokens", () => {
  it("session tokens are long, random and url-safe", () => {
    const tokens = new Set(Array.from({ length: 100 }, newSessionToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^sws_[A-Za-z0-9_-]{43}$/);
  });

  it("sha256Hex matches a known vector", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
