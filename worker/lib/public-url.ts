import { z } from "zod";
import { ApiError } from "./errors";

// Server-side request forgery guard for URLs a user chooses (their AI provider's base URL):
// the Worker must not be aimed at a private, loopback, link-local, CGNAT, unique-local or
// cloud-metadata address. A Worker has no DNS API (fetch() resolves names itself), so a
// hostname is resolved through DNS-over-HTTPS, the JSON API that Cloudflare's and Google's
// resolvers serve (`GET ?name=…&type=A|AAAA` with `accept: application/dns-json`,
// https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/),
// at a configurable resolver URL (DNS_RESOLVER_URL). Every address the name resolves to must
// be public. The check runs when the URL is saved and again before each call
// (worker/providers/chat.ts), so a name that later moves to a private address is refused
// then. What remains is the gap between our lookup and fetch()'s own (DNS rebinding within a
// TTL); a Worker cannot pin the address it connects to, and on Cloudflare's network a Worker
// reaches no private network of its own anyway, so the guard matters most for self-hosted workerd.

export type AddressKind =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "cgnat"
  | "unique-local"
  | "unspecified"
  | "reserved"
  | "multicast";

/**
 * Names that never lead to the public internet, refused without asking DNS (RFC 6761, 6762, 8375; cloud metadata
 * names).
 */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|home\.arpa|lan|intranet|corp|localdomain)$/i;

type Range = { base: number; bits: number; kind: AddressKind };
const IPV4_RANGES: Range[] = [
  { base: ip4("0.0.0.0"), bits: 8, kind: "unspecified" },
  { base: ip4("10.0.0.0"), bits: 8, kind: "private" },
  { base: ip4("100.64.0.0"), bits: 10, kind: "cgnat" }, // also Alibaba Cloud's metadata (100.100.100.200)
  { base: ip4("127.0.0.0"), bits: 8, kind: "loopback" },
  { base: ip4("169.254.0.0"), bits: 16, kind: "link-local" }, // AWS/GCP/Azure metadata (169.254.169.254)
  { base: ip4("172.16.0.0"), bits: 12, kind: "private" },
  { base: ip4("192.0.0.0"), bits: 24, kind: "reserved" },
  { base: ip4("192.0.2.0"), bits: 24, kind: "reserved" },
  { base: ip4("192.168.0.0"), bits: 16, kind: "private" },
  { base: ip4("198.18.0.0"), bits: 15, kind: "reserved" },
  { base: ip4("198.51.100.0"), bits: 24, kind: "reserved" },
  { base: ip4("203.0.113.0"), bits: 24, kind: "reserved" },
  { base: ip4("224.0.0.0"), bits: 4, kind: "multicast" },
  { base: ip4("240.0.0.0"), bits: 4, kind: "reserved" },
];

function ip4(text: string): number {
  const parts = text.split(".").map(Number);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function parseIpv4(text: string): number | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return null;
  return ip4(parts.join("."));
}

function ipv4Kind(address: number): AddressKind {
  if (address === 0xffffffff) return "reserved";
  for (const range of IPV4_RANGES) {
    const mask = range.bits === 0 ? 0 : (~0 << (32 - range.bits)) >>> 0;
    if ((address & mask) >>> 0 === range.base) return range.kind;
  }
  return "public";
}

/** Eight 16-bit groups, or null; accepts `::` and a dotted IPv4 tail (`::ffff:127.0.0.1`). */
function parseIpv6(text: string): number[] | null {
  let input = text.toLowerCase().split("%")[0]!; // a zone id (fe80::1%eth0) does not change the address
  const lastColon = input.lastIndexOf(":");
  if (input.slice(lastColon + 1).includes(".")) {
    // The dotted tail becomes its two hex groups.
    const v4 = parseIpv4(input.slice(lastColon + 1));
    if (v4 === null) return null;
    input = `${input.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = input.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return null;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const zeros = Array.from({ length: halves.length === 2 ? missing : 0 }, () => "0");
  return [...head, ...zeros, ...rest].map((group) => parseInt(group, 16));
}

function ipv6Kind(g: number[]): AddressKind {
  const zeroUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embeddedV4 = () => ((g[6]! << 16) | g[7]!) >>> 0;
  if (zeroUntil(8)) return "unspecified";
  if (zeroUntil(7) && g[7] === 1) return "loopback";
  if (zeroUntil(5) && g[5] === 0xffff) return ipv4Kind(embeddedV4()); // IPv4-mapped
  if (zeroUntil(4) && g[4] === 0xffff && g[5] === 0) return ipv4Kind(embeddedV4()); // IPv4-translated (::ffff:0:0/96)
  if (zeroUntil(6)) return ipv4Kind(embeddedV4()); // IPv4-compatible (deprecated)
  // Local-use NAT64 (RFC 8215): the operator's own translator, the IPv4 address anywhere in it.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "private";
  if (g[0] === 0x64 && g[1] === 0xff9b) return ipv4Kind(embeddedV4()); // NAT64 (RFC 6052)
  if (g[0] === 0x2002) return ipv4Kind(((g[1]! << 16) | g[2]!) >>> 0); // 6to4 carries an IPv4 address
  if ((g[0]! & 0xfe00) === 0xfc00) return "unique-local"; // fc00::/7, also AWS's IPv6 metadata (fd00:ec2::254)
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0]! & 0xffc0) === 0xfec0) return "private"; // site-local (deprecated)
  if ((g[0]! & 0xff00) === 0xff00) return "multicast";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "reserved"; // documentation
  if (g[0] === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return "reserved"; // discard-only 100::/64
  return "public";
}

/** What an IP address literal is, or null when `text` is not one. `[…]` around IPv6 is accepted. */
export function addressKind(text: string): AddressKind | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return ipv4Kind(v4);
  if (!bare.includes(":")) return null;
  const v6 = parseIpv6(bare);
  return v6 ? ipv6Kind(v6) : null;
}

/** Resolves a hostname to its IPv4 and IPv6 addresses (all of them; none = does not resolve). */
export type Resolver = (hostname: string) => Promise<string[]>;

const DnsJson = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ type: z.number().int(), data: z.string() })).optional(),
});
const A = 1;
const AAAA = 28;

/** A Resolver over a DNS-over-HTTPS JSON endpoint. */
export function dohResolver(resolverUrl: string, fetcher: typeof fetch = fetch): Resolver {
  return async (hostname) => {
    const answers = await Promise.all(
      [A, AAAA].map(async (type) => {
        const url = `${resolverUrl}?name=${encodeURIComponent(hostname)}&type=${type === A ? "A" : "AAAA"}`;
        const response = await fetcher(url, {
          headers: { accept: "application/dns-json" },
          signal: AbortSignal.timeout(5000),
        });
        if (!response.ok) throw new Error(`the DNS resolver answered HTTP ${response.status}`);
        // What the resolver sent is never quoted back: a page that is not DNS JSON is just that.
        const body = DnsJson.safeParse(await response.json().catch(() => null));
        if (!body.success) throw new Error("the DNS resolver's answer is not DNS JSON");
        // 0 = NOERROR, 3 = NXDOMAIN (no such name: no addresses); anything else is a failure to look.
        const { Status, Answer } = body.data;
        if (Status !== 0 && Status !== 3) throw new Error(`the DNS resolver answered status ${Status}`);
        // CNAMEs (type 5) come with the records they lead to; only addresses matter here.
        return (Answer ?? []).filter((answer) => answer.type === type).map((answer) => answer.data);
      }),
    );
    return answers.flat();
  };
}

export type PublicUrlPolicy = { allowPrivate: boolean; resolve: Resolver };

/**
 * Refuses (ApiError `bad_request`, saying why) a URL whose host is, or resolves to, an address
 * that is not public, unless the deployment allows private addresses. Only http(s).
 */
export async function assertPublicUrl(raw: string, policy: PublicUrlPolicy, what = "baseUrl"): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ApiError("bad_request", `${what} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ApiError("bad_request", `${what} must be an http(s) URL`);
  if (url.username || url.password)
    throw new ApiError("bad_request", `${what} must not carry credentials: send the API key as apiKey`);
  if (policy.allowPrivate) return;
  // WHATWG URL parsing already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1.
  const host = url.hostname;
  const literal = addressKind(host);
  if (literal !== null) {
    if (literal !== "public") throw refused(what, host, literal);
    return;
  }
  const name = host.replace(/\.$/, "");
  if (!name.includes(".") || LOCAL_NAME.test(name)) {
    throw new ApiError("bad_request", `${what} points at ${host}, a local name; use a public address`);
  }
  let addresses: string[];
  try {
    addresses = await policy.resolve(name);
  } catch (error) {
    throw new ApiError(
      "bad_request",
      `${what}: could not check where ${host} points ` +
        `(${error instanceof Error ? error.message : String(error)}); try again`,
    );
  }
  if (addresses.length === 0) throw new ApiError("bad_request", `${what}: ${host} does not resolve to any address`);
  for (const address of addresses) {
    const kind = addressKind(address);
    if (kind !== "public") throw refused(what, `${host} (${address})`, kind ?? "reserved");
  }
}

function refused(what: string, host: string, kind: AddressKind): ApiError {
  return new ApiError(
    "bad_request",
    `${what} points at ${host}, a ${kind} address: the Worker only calls public addresses ` +
      "(a deployment may allow private ones with AI_ALLOW_PRIVATE_URLS=true)",
  );
}
