import type { Page } from "playwright-core";

/**
 * A Turbo Drive visit, as GitHub's Turbo does it (the saved pages run without GitHub's
 * scripts): `turbo:visit`, fetch the next page, swap <body> and the page's <meta>
 * tags, push the URL, then `turbo:render` and `turbo:load` on the document.
 */
export async function turboVisit(page: Page, url: string): Promise<void> {
  await page.evaluate(async (next) => {
    document.dispatchEvent(new CustomEvent("turbo:visit", { detail: { url: next, action: "advance" } }));
    const html = await (await fetch(next)).text();
    const incoming = new DOMParser().parseFromString(html, "text/html");
    for (const meta of document.head.querySelectorAll("meta[name]")) meta.remove();
    for (const meta of incoming.head.querySelectorAll("meta[name]")) document.head.append(document.adoptNode(meta));
    document.title = incoming.title;
    history.pushState({ turbo: true }, "", next);
    document.body.replaceWith(document.adoptNode(incoming.body));
    document.dispatchEvent(new CustomEvent("turbo:render", { detail: { renderMethod: "replace" } }));
    document.dispatchEvent(new CustomEvent("turbo:load", { detail: { url: next } }));
  }, url);
}
