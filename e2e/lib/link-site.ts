import { createServer, type Server } from "node:http";

// A news site like Hacker News for the marks on other sites (extension/sites/marks.ts): a real
// HTTP server on loopback, reached as http://news.localhost:<port>/ (the site the test allows) and
// http://other.localhost:<port>/ (one it never allows) — browsers resolve *.localhost to loopback.
// Its stories link to GitHub repositories and elsewhere; "More" adds stories the way a feed loads
// more (a batch of new links at once). Served with a strict Content-Security-Policy (no inline
// script or style), as many real sites are: the marks must look right under it.

export interface Story {
  title: string;
  url: string;
  points: number;
  by: string;
}

export const FIRST_STORIES: Story[] = [
  {
    title: "Tokio: an asynchronous runtime for Rust",
    url: "https://github.com/tokio-rs/tokio",
    points: 412,
    by: "carllerche",
  },
  { title: "Show HN: A blog engine in 200 lines", url: "https://example.org/blog-engine", points: 97, by: "pg" },
  { title: "Playwright 2.0", url: "https://github.com/microsoft/playwright", points: 230, by: "aslushnikov" },
  {
    title: "Zed is now open source",
    url: "https://github.com/zed-industries/zed/blob/main/README.md",
    points: 851,
    by: "nathan",
  },
  {
    title: "Someone's weekend project",
    url: "https://github.com/someone-unknown/weekend-project",
    points: 12,
    by: "anon",
  },
  { title: "GitHub Actions pricing changes", url: "https://github.com/features/actions", points: 45, by: "gh" },
  { title: "Why SQLite is so fast", url: "https://sqlite.org/fasterthanfs.html", points: 320, by: "drh" },
  {
    title: "Again Tokio, from the comments",
    url: "https://github.com/tokio-rs/tokio/issues/1",
    points: 3,
    by: "reader",
  },
];

export const MORE_STORIES: Story[] = [
  { title: "Axum 1.0 released", url: "https://github.com/tokio-rs/axum", points: 188, by: "davidpdrsn" },
  { title: "ProIntern: find internships", url: "https://github.com/AathifZahir/ProIntern", points: 21, by: "aathif" },
  { title: "Tokio, once more", url: "https://github.com/tokio-rs/tokio", points: 7, by: "echo" },
  { title: "A Lisp in a weekend", url: "https://example.net/lisp", points: 64, by: "sussman" },
];

const html = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const storyRow = (story: Story, rank: number) => `
  <tr class="athing"><td class="rank">${rank}.</td><td class="title">
  <a class="storylink" href="${html(story.url)}">${html(story.title)}</a>
  <span class="sitebit">(${html(new URL(story.url).hostname)})</span></td></tr>
  <tr><td></td><td class="subtext">${story.points} points by <a href="#">${html(story.by)}</a>
  | <a href="#">discuss</a></td></tr>`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Starwise test news</title>
<link rel="stylesheet" href="/news.css"><script src="/news.js" defer></script></head>
<body><center><table id="hnmain">
<tr><td class="header"><b class="logo">Y</b> <b>Test News</b>
<span class="nav">new | past | comments | ask | show</span></td></tr>
<tr><td><table id="stories">${FIRST_STORIES.map((story, i) => storyRow(story, i + 1)).join("")}</table>
<p class="more"><button id="more" type="button">More</button></p></td></tr>
</table></center></body></html>`;

const CSS = `
:root { color-scheme: light dark; }
body { margin: 0; background: #f6f6ef; color: #000; font: 10pt Verdana, Geneva, sans-serif; }
#hnmain { width: 85%; background: #f6f6ef; border-spacing: 0; }
.header { background: #ff6600; padding: 2px; }
.logo { border: 1px solid #fff; color: #fff; padding: 0 4px; margin-right: 4px; }
.nav { color: #000; }
#stories { border-spacing: 0; margin-top: 6px; }
.rank { color: #828282; text-align: right; vertical-align: top; padding-right: 4px; }
.title a { color: #000; text-decoration: none; }
.sitebit, .subtext, .subtext a { color: #828282; font-size: 7pt; }
.subtext { padding-bottom: 6px; }
.more button { background: none; border: 0; color: #000; font: inherit; cursor: pointer; padding: 0 0 8px 28px; }
@media (prefers-color-scheme: dark) {
  body, #hnmain { background: #1d1f21; color: #ddd; }
  .header { background: #c45500; }
  .nav, .title a, .more button { color: #ddd; }
  .sitebit, .subtext, .subtext a, .rank { color: #999; }
}`;

const SCRIPT = `
const more = ${JSON.stringify(MORE_STORIES)};
document.getElementById("more").addEventListener("click", () => {
  const table = document.getElementById("stories");
  const start = table.querySelectorAll("tr.athing").length;
  more.forEach((story, i) => {
    const row = document.createElement("tr");
    row.className = "athing";
    const rank = document.createElement("td");
    rank.className = "rank";
    rank.textContent = start + i + 1 + ".";
    const cell = document.createElement("td");
    cell.className = "title";
    const link = document.createElement("a");
    link.className = "storylink";
    link.href = story.url;
    link.textContent = story.title;
    cell.append(link);
    row.append(rank, cell);
    table.append(row);
  });
});`;

export interface LinkSite {
  port: number;
  /** `http://<host>.localhost:<port>/`: the same page under any name. */
  url(host: string): string;
  /** Requests served, as `host path`. */
  hits: string[];
  close(): Promise<void>;
}

export async function startLinkSite(): Promise<LinkSite> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    hits.push(`${request.headers.host} ${url.pathname}`);
    const headers = { "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'" };
    if (url.pathname === "/")
      response.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(PAGE);
    else if (url.pathname === "/news.css") response.writeHead(200, { ...headers, "Content-Type": "text/css" }).end(CSS);
    else if (url.pathname === "/news.js")
      response.writeHead(200, { ...headers, "Content-Type": "text/javascript" }).end(SCRIPT);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (host) => `http://${host}.localhost:${port}/`,
    hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
