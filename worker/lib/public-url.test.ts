import { describe, expect, it } from "vitest";
import { addressKind, assertPublicUrl, dohResolver, type Resolver } from "./public-url";
import { ApiError } from "./errors";

const noDns: Resolver = async (host) => {
  throw new Error(`resolved ${host}`);
};
const dns =
  (table: Record<string, string[]>): Resolver =>
  async (host) =>
    table[host] ?? [];

async function refusal(url: string, resolve: Resolver = noDns): Promise<string> {
  try {
    await assertPublicUrl(url, { allowPrivate: false, resolve });
  } catch (error) {
    if (error instanceof ApiError && error.code === "bad_request") return error.message;
    throw error;
  }
  throw new Error(`${url} was accepted`);
}

describe("addressKind", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "cgnat"],
    ["100.100.100.200", "cgnat"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["8.8.8.8", "public"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    // RFC 8215 local-use NAT64: the operator's translator, wherever the IPv4 address sits in it.
    ["64:ff9b:1::a9fe:a9fe", "private"],
    ["64:ff9b:1:a9fe:a9:fe00::", "private"],
    // IPv4-translated (::ffff:0:0/96, RFC 2765).
    ["::ffff:0:7f00:1", "loopback"],
    ["::ffff:0:a9fe:a9fe", "link-local"],
    ["2002:0a00:0001::1", "private"],
    ["fd00:ec2::254", "unique-local"],
    ["fc00::1", "unique-local"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["2606:4700:4700::1111", "public"],
  ])("%s is %s", (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it("is null for names and malformed literals", () => {
    expect(addressKind("example.com")).toBeNull();
    expect(addressKind("1:2:3:4:5:6:7:8:9")).toBeNull();
    expect(addressKind("1::2::3")).toBeNull();
    expect(addressKind("256.1.1.1")).toBeNull();
  });
});

describe("assertPublicUrl", () => {
  it(
    "refuses private, loopback, link-local, CGNAT, unique-local and metadata literals, " + "in every spelling",
    async () => {
      for (const url of [
        "http://127.0.0.1:9200/v1",
        "http://2130706433/v1", // 127.0.0.1 in decimal
        "http://0x7f.0.0.1/",
        "http://[::1]:8080/",
        "http://[::ffff:10.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.1.1/",
        "http://[fd00:ec2::254]/",
        "http://192.168.0.10/v1",
      ]) {
        expect(await refusal(url)).toMatch(/address: the Worker only calls public addresses/);
      }
    },
  );

  it("refuses local names without asking DNS", async () => {
    for (const url of [
      "http://localhost:11434/v1",
      "http://ollama.local/v1",
      "http://metadata.google.internal/",
      "http://gpu-box/v1",
    ]) {
      expect(await refusal(url)).toMatch(/a local name/);
    }
  });

  it("refuses a public-looking name that resolves to a private address, or to nothing", async () => {
    const resolve = dns({ "ai.example.com": ["203.0.113.9"], "rebind.example.com": ["93.184.216.34", "10.0.0.5"] });
    expect(await refusal("https://rebind.example.com/v1", resolve)).toMatch(
      /rebind\.example\.com \(10\.0\.0\.5\), a private address/,
    );
    expect(await refusal("https://ai.example.com/v1", resolve)).toMatch(/reserved address/);
    expect(await refusal("https://nowhere.example.com/v1", resolve)).toMatch(/does not resolve/);
  });

  it("accepts a name whose every address is public, and refuses other schemes and credentials", async () => {
    await assertPublicUrl("https://api.deepseek.com/v1", {
      allowPrivate: false,
      resolve: dns({ "api.deepseek.com": ["104.18.26.90", "2606:4700::6812:1a5a"] }),
    });
    await assertPublicUrl("https://1.1.1.1/v1", { allowPrivate: false, resolve: noDns });
    expect(await refusal("ftp://example.com/")).toMatch(/http\(s\)/);
    expect(await refusal("https://user:pw@example.com/")).toMatch(/credentials/);
  });

  it("lets a deployment allow private addresses (the local demo, the tests)", async () => {
    await assertPublicUrl("http://127.0.0.1:9200/v1", { allowPrivate: true, resolve: noDns });
  });
});

describe("dohResolver", () => {
  it("asks the resolver for A and AAAA records in its JSON format and keeps only addresses", async () => {
    const asked: string[] = [];
    const fake: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      asked.push(
        `${url.searchParams.get("name")} ${url.searchParams.get("type")} ${new Headers(init?.headers).get("accept")}`,
      );
      const answer =
        url.searchParams.get("type") === "A"
          ? [
              { name: "ai.example.com", type: 5, TTL: 60, data: "edge.example.net." },
              { name: "edge.example.net", type: 1, TTL: 60, data: "93.184.216.34" },
            ]
          : [{ name: "edge.example.net", type: 28, TTL: 60, data: "2606:2800:220:1::1" }];
      return Response.json({ Status: 0, Answer: answer });
    };
    expect(await dohResolver("https://dns.test/dns-query", fake)("ai.example.com")).toEqual([
      "93.184.216.34",
      "2606:2800:220:1::1",
    ]);
    expect(asked.sort()).toEqual(["ai.example.com A application/dns-json", "ai.example.com AAAA application/dns-json"]);
  });

  it("NXDOMAIN is no address; SERVFAIL is a failure to look", async () => {
    const nx: typeof fetch = async () => Response.json({ Status: 3 });
    expect(await dohResolver("https://dns.test/dns-query", nx)("nope.example.com")).toEqual([]);
    const servfail: typeof fetch = async () => Response.json({ Status: 2 });
    await expect(dohResolver("https://dns.test/dns-query", servfail)("x.example.com")).rejects.toThrow(/status 2/);
  });

  it("never quotes back what a resolver sent that is not DNS JSON", async () => {
    const page: typeof fetch = async () => new Response("<html>secret internal page</html>", { status: 200 });
    const error = await dohResolver("https://dns.test/dns-query", page)("x.example.com").catch((e: Error) => e);
    expect(String(error)).toBe("Error: the DNS resolver's answer is not DNS JSON");
    const wrong: typeof fetch = async () => Response.json({ secret: "internal" });
    await expect(dohResolver("https://dns.test/dns-query", wrong)("x.example.com")).rejects.toThrow(
      /^the DNS resolver's answer is not DNS JSON$/,
    );
  });
});
