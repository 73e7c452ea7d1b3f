// The OpenDigger emulator: a real HTTP server (node:http) serving
// `/{platform}/{owner}/{repo}/{metric}.json` and `meta.json` as oss.open-digger.cn does — one
// flat JSON object per file, 404 (object storage's XML body) for repositories the export does
// not cover, Expires until the next monthly export, ETag/304, CORS for everyone.
import { listen } from "../common/listen.ts";
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { FaultList } from "../common/faults.ts";
import { readBody, sleep } from "../github/http.ts";
import { hash, sequence } from "../github/random.ts";
import {
  completePeriods,
  covered,
  exportClock,
  generateMeta,
  generateMetric,
  METRICS,
  type ExportClock,
} from "./data.ts";
import { OPENDIGGER_FAULTS } from "./faults.ts";

export interface OpendiggerEmulatorOptions {
  /** 0 = a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of all generated data (default 1). */
  seed?: number;
  /** The clock that decides which months exist: ms or an ISO date; default the real time. */
  now?: number | string;
  /** Day of the month the export runs (default 5). */
  exportDay?: number;
  /** Share of repositories the export does not cover, answering 404 (default 0.1). */
  notFoundShare?: number;
  /** Added to every request. */
  latencyMs?: number;
  quiet?: boolean;
}

export interface OpendiggerEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Config {
  /** null = the real clock. */
  now: number | null;
  exportDay: number;
  notFoundShare: number;
  latencyMs: number;
}

/** A repository's data set through the control API; a null file answers 404. */
interface Override {
  missing?: boolean;
  files: Record<string, Record<string, unknown> | null>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const HOLD = Symbol("hold");

function parseNow(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const ms = typeof value === "number" ? value : Date.parse(String(value));
  if (!Number.isFinite(ms)) throw new Error(`"now" must be ms or an ISO date, got ${JSON.stringify(value)}`);
  return ms;
}

function noSuchKey(key: string, requestId: string): Answer {
  return {
    status: 404,
    headers: { "content-type": "application/xml" },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>NoSuchKey</Code>\n' +
      "  <Message>The specified key does not exist.</Message>\n" +
      `  <RequestId>${requestId}</RequestId>\n  <HostId>oss.open-digger.cn</HostId>\n  <Key>${key}</Key>\n` +
      "  <EC>0026-00000001</EC>\n</Error>\n",
  };
}

export async function startOpendiggerEmulator(options: OpendiggerEmulatorOptions = {}): Promise<OpendiggerEmulator> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? 1;
  const log = (message: string) => {
    if (!options.quiet) process.stderr.write(`[opendigger-emulator] ${message}\n`);
  };
  const initial: Config = {
    now: parseNow(options.now),
    exportDay: options.exportDay ?? 5,
    notFoundShare: options.notFoundShare ?? 0.1,
    latencyMs: options.latencyMs ?? 0,
  };
  let config: Config = { ...initial };
  let overrides = new Map<string, Override>();
  let faults = new FaultList(OPENDIGGER_FAULTS);
  let random = sequence(seed);
  const fresh = () => ({
    total: 0,
    byRoute: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
    byRepo: {} as Record<string, number>,
    notFound: 0,
    notFoundByRepo: {} as Record<string, number>,
    inFlight: 0,
    maxConcurrency: 0,
  });
  let stats = fresh();
  let requestCounter = 0;

  const clock = (): ExportClock => exportClock(config.now ?? Date.now(), config.exportDay);
  const repoKey = (platform: string, owner: string, repo: string) => `${platform}/${owner}/${repo}`.toLowerCase();

  /** The JSON document of a file, or null for 404. */
  function file(platform: string, owner: string, repo: string, name: string): Record<string, unknown> | null {
    const key = repoKey(platform, owner, repo);
    const override = overrides.get(key);
    if (override?.missing) return null;
    if (override && name in override.files) return override.files[name] ?? null;
    if (!covered(seed, key, config.notFoundShare)) return null;
    const c = clock();
    if (name === "meta") return generateMeta(seed, key, c);
    if (!(name in METRICS)) return null;
    const data = generateMetric(seed, key, name, c);
    return Object.keys(data).length ? data : null; // an empty metric is not exported
  }

  async function handle(req: IncomingMessage, url: URL, requestId: string): Promise<Answer | typeof HOLD> {
    const method = req.method ?? "GET";
    await readBody(req);
    const match = /^\/(github|gitee)\/([^/]+)\/([^/]+)\/([a-z_]+)\.json$/.exec(url.pathname);
    const route = match ? `${method} /{platform}/{owner}/{repo}/${match[4]}.json` : `${method} (unmatched)`;
    stats.total++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const key = url.pathname.replace(/^\//, "");
    if (!match || (method !== "GET" && method !== "HEAD")) {
      await sleep(config.latencyMs);
      return method === "GET" || method === "HEAD"
        ? noSuchKey(key, requestId)
        : {
            status: 405,
            headers: { "content-type": "application/xml" },
            body: "<Error><Code>MethodNotAllowed</Code></Error>",
          };
    }
    const [, platform, owner, repo, name] = match as unknown as [string, string, string, string, string];
    const fullName = `${owner}/${repo}`;
    const statsKey = `${platform}/${fullName}`;
    stats.byRepo[statsKey] = (stats.byRepo[statsKey] ?? 0) + 1;

    const { latencyMs, fault } = faults.fire({ repo: fullName, file: `${name}.json` }, random);
    await sleep(config.latencyMs + latencyMs);
    if (fault) log(`fault #${fault.id} on ${url.pathname}`);
    if (fault?.timeout) return HOLD;
    if (fault?.nonJson)
      return {
        status: 200,
        headers: { "content-type": "text/html" },
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
      };
    if (fault?.status !== undefined)
      return {
        status: fault.status,
        headers: { "content-type": "application/xml", ...fault.headers },
        body:
          fault.body ??
          `<Error><Code>InternalError</Code><Message>Emulated fault (HTTP ${fault.status})</Message></Error>`,
      };

    const doc = file(platform, owner, repo, name);
    if (!doc) {
      stats.notFound++;
      stats.notFoundByRepo[statsKey] = (stats.notFoundByRepo[statsKey] ?? 0) + 1;
      return noSuchKey(key, requestId);
    }
    const body = JSON.stringify(doc);
    const etag = `"${createHash("md5").update(body).digest("hex").toUpperCase()}"`;
    const c = clock();
    const headers = {
      "content-type": "application/json",
      etag,
      "last-modified": new Date(c.updatedAt).toUTCString(),
      expires: new Date(c.nextExport).toUTCString(),
      "accept-ranges": "bytes",
    };
    if (req.headers["if-none-match"]?.split(",").some((t) => t.trim() === etag)) return { status: 304, headers };
    return { status: 200, headers, body: method === "HEAD" ? "" : body };
  }

  function control(method: string, path: string, query: URLSearchParams, raw: string): Answer {
    const json = (status: number, value: unknown): Answer => ({
      status,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(value),
    });
    const input = (): Record<string, unknown> => {
      if (!raw.trim()) return {};
      const value = JSON.parse(raw) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error("body must be a JSON object");
      return value as Record<string, unknown>;
    };
    const repoOf = (value: unknown) => {
      if (typeof value !== "string" || !/^[^/\s]+\/[^/\s]+$/.test(value))
        throw new Error('"fullName" must be "owner/repo"');
      return value;
    };
    switch (`${method} ${path.replace(/\/+$/, "")}`) {
      case "GET stats":
        return json(200, { ...stats, inFlight: undefined });
      case "POST reset":
        config = { ...initial };
        overrides = new Map();
        faults = new FaultList(OPENDIGGER_FAULTS);
        random = sequence(seed);
        stats = fresh();
        log("reset");
        return json(200, { reset: true });
      case "GET config":
        return json(200, { ...config, now: config.now === null ? null : new Date(config.now).toISOString() });
      case "POST config": {
        const body = input();
        const next = { ...config };
        if ("now" in body) next.now = parseNow(body.now);
        for (const k of ["exportDay", "notFoundShare", "latencyMs"] as const) {
          if (body[k] === undefined) continue;
          if (typeof body[k] !== "number" || !((body[k] as number) >= 0))
            throw new Error(`"${k}" must be a number >= 0`);
          next[k] = body[k] as number;
        }
        if (next.notFoundShare > 1) throw new Error('"notFoundShare" must be between 0 and 1');
        if (next.exportDay < 1 || next.exportDay > 28) throw new Error('"exportDay" must be 1..28');
        config = next;
        return json(200, { ...config, now: config.now === null ? null : new Date(config.now).toISOString() });
      }
      case "GET repo": {
        const fullName = repoOf(query.get("fullName"));
        const platform = query.get("platform") ?? "github";
        const [owner, repo] = fullName.split("/") as [string, string];
        const c = clock();
        const openrank = file(platform, owner, repo, "openrank");
        const periods = completePeriods(c);
        return json(200, {
          fullName,
          platform,
          exists: file(platform, owner, repo, "meta") !== null,
          updatedAt: c.updatedAt,
          latestCompleteMonth: periods.month,
          latestCompleteQuarter: periods.quarter,
          latestCompleteYear: periods.year,
          openrank,
          openrankOfLatestMonth: openrank ? (openrank[periods.month] ?? null) : null,
          openrankOfLatestQuarter: openrank ? (openrank[periods.quarter] ?? null) : null,
        });
      }
      case "POST repo": {
        // {fullName, platform?, missing?: true, openrank?: {...}|null, meta?: {...}|null, metrics?: {name: {...}|null}}
        const body = input();
        const fullName = repoOf(body.fullName);
        const platform = typeof body.platform === "string" ? body.platform : "github";
        const [owner, repo] = fullName.split("/") as [string, string];
        const key = repoKey(platform, owner, repo);
        const override: Override = overrides.get(key) ?? { files: {} };
        if (body.missing !== undefined) override.missing = body.missing === true;
        const files: Record<string, unknown> = {
          ...(typeof body.metrics === "object" && body.metrics !== null ? body.metrics : {}),
        };
        if ("openrank" in body) files.openrank = body.openrank;
        if ("meta" in body) files.meta = body.meta;
        for (const [name, value] of Object.entries(files)) {
          if (value !== null && (typeof value !== "object" || Array.isArray(value)))
            throw new Error(`"${name}" must be an object or null`);
          override.files[name] = value as Record<string, unknown> | null;
        }
        overrides.set(key, override);
        log(`repo ${key} set`);
        return json(200, {
          fullName,
          platform,
          missing: override.missing === true,
          files: Object.keys(override.files),
        });
      }
      case "DELETE repo": {
        const body = raw.trim() ? input() : { fullName: query.get("fullName"), platform: query.get("platform") };
        const fullName = repoOf(body.fullName);
        const [owner, repo] = fullName.split("/") as [string, string];
        return json(200, {
          removed: overrides.delete(repoKey(typeof body.platform === "string" ? body.platform : "github", owner, repo)),
        });
      }
      case "GET faults":
      case "POST faults":
      case "DELETE faults": {
        const answer = faults.answer(method, raw);
        return json(answer.status, answer.body);
      }
      default:
        return json(404, { message: `unknown control endpoint ${method} /_emulator/${path}` });
    }
  }

  function send(res: ServerResponse, answer: Answer, counted: boolean): void {
    if (res.destroyed || res.writableEnded) return;
    if (counted) stats.byStatus[String(answer.status)] = (stats.byStatus[String(answer.status)] ?? 0) + 1;
    res.writeHead(answer.status, {
      "access-control-allow-origin": "*",
      "access-control-expose-headers": "ETag, Expires, Last-Modified",
      server: "AliyunOSS",
      ...answer.headers,
    });
    res.end(answer.status === 304 ? undefined : answer.body);
  }

  let baseUrl = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const n = ++requestCounter;
    const requestId = [0, 1, 2]
      .map((part) => hash(seed, "request", n, part).toString(16).toUpperCase().padStart(8, "0"))
      .join("");
    if (url.pathname.startsWith("/_emulator/")) {
      readBody(req)
        .then((raw) => {
          try {
            send(
              res,
              control(req.method ?? "GET", url.pathname.slice("/_emulator/".length), url.searchParams, raw),
              false,
            );
          } catch (error) {
            send(
              res,
              {
                status: error instanceof SyntaxError ? 400 : 422,
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ message: (error as Error).message }),
              },
              false,
            );
          }
        })
        .catch((error: unknown) => send(res, { status: 500, body: String(error) }, false));
      return;
    }
    if (req.method === "OPTIONS") {
      res.writeHead(200, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, HEAD",
        "access-control-allow-headers": "*",
      });
      res.end();
      return;
    }
    stats.inFlight++;
    stats.maxConcurrency = Math.max(stats.maxConcurrency, stats.inFlight);
    const counters = stats;
    res.on("close", () => {
      counters.inFlight--;
    });
    handle(req, url, requestId)
      .then((answer) => {
        if (answer !== HOLD) send(res, answer, true);
      })
      .catch((error: unknown) => {
        log(`error on ${url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        send(res, { status: 500, body: "<Error><Code>InternalError</Code></Error>" }, true);
      });
  });
  const listening = await listen(server, options.port ?? 0, host);
  baseUrl = listening.url;
  const c = clock();
  log(
    `listening on ${baseUrl} (seed ${seed}, ` +
      `export of ${new Date(c.updatedAt).toISOString().slice(0, 10)} through ${c.lastMonth}, ` +
      `${Math.round(config.notFoundShare * 100)}% not covered)`,
  );

  return listening;
}
