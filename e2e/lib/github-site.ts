import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// github.com for the browser tests: an HTTPS server on loopback serving the saved real
// pages in e2e/fixtures/github-pages/ (see its README), which Chromium reaches as
// https://github.com through `--host-resolver-rules`. That path (unlike
// `context.route`) also proves the manifest's host permissions and the content
// script's `matches`. The certificate is made fresh for each run and never committed.

export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/github-pages/", import.meta.url));

export const fixture = (name: string) => readFileSync(join(FIXTURES_DIR, name), "utf8");

/** Repositories under this owner are the playwright page renamed (fresh names for cold lookups). */
export const BENCH_OWNER = "starwise-bench";

/** Which saved page answers which github.com URL. */
export function pageFor(url: URL): string | null {
  const path = url.pathname.replace(/\/+$/, "");
  const tab = url.searchParams.get("tab");
  if (path === "/microsoft/playwright") return "repo-microsoft-playwright-2026.html";
  if (path === "/ammarasad2005/Drama-Ghar") return "repo-ammarasad2005-Drama-Ghar-2026.html";
  if (path === "/docker-library/docker") return "repo-docker-library-docker-2024.html";
  if (path === "/ammarasad2005" && tab === "stars") return "stars-ammarasad2005-2026.html";
  if (path === "/ammarasad2005" && tab === "repositories") return "user-repos-ammarasad2005-2026.html";
  if (path === "/search") return "search-repositories-python-or-docker-2024.html";
  if (path.startsWith("/trending")) return "trending-rust-weekly-2026.html";
  return null;
}

export interface GithubSite {
  port: number;
  /** Requests served, by path (for "no request at all"-style checks of the page itself). */
  hits: string[];
  close(): Promise<void>;
}

export async function startGithubSite(): Promise<GithubSite> {
  const dir = mkdtempSync(join(tmpdir(), "starwise-cert-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=github.com",
      "-days",
      "2",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    {
      stdio: "ignore",
    },
  );
  const hits: string[] = [];
  const cache = new Map<string, string>();
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    const url = new URL(request.url ?? "/", "https://github.com");
    hits.push(`${request.method} ${url.pathname}${url.search}`);
    // GitHub's Star form posts here; its own JS would answer in place. 204 keeps the page.
    if (request.method === "POST" && /\/(un)?star$/.test(url.pathname)) {
      response.writeHead(204).end();
      return;
    }
    const bench = url.pathname.match(new RegExp(`^/${BENCH_OWNER}/([A-Za-z0-9._-]+)$`));
    if (bench) {
      if (!cache.has("bench")) cache.set("bench", fixture("repo-microsoft-playwright-2026.html"));
      const html = cache.get("bench")!.replaceAll("microsoft/playwright", `${BENCH_OWNER}/${bench[1]}`);
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
      return;
    }
    const name = pageFor(url);
    if (!name) {
      response
        .writeHead(404, { "Content-Type": "text/html; charset=utf-8" })
        .end("<!doctype html><title>Page not found · GitHub</title><h1>404</h1>");
      return;
    }
    if (!cache.has(name)) cache.set(name, fixture(name));
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(cache.get(name));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  rmSync(dir, { recursive: true, force: true });
  return {
    port: (server.address() as { port: number }).port,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
