import { StarPopover } from "@/components/star-popover";
import { defineFeature, logFailure } from "@/github/feature-manager";
import { isFullName, isRepositoryList, isRepositoryPage, repositoryOf, repositoryOfLink } from "@/github/page";
import { listItems, starButton } from "@/github/selectors";
import { mountShadow } from "@/github/shadow-ui";
import css from "./star-popover.css?inline";

// When you click GitHub's Star button, a small popover offers tags and a note for that
// repository, saved at once; the next sync links them to the star. GitHub's own click
// goes on untouched.

/** Which repository a Star button stars: its form's action, else the list item it sits in. */
function repositoryOfButton(button: Element): string | null {
  const action = button.closest("form")?.getAttribute("action");
  const match = action?.match(/^\/([^/]+\/[^/]+)\/star$/);
  if (match?.[1] && isFullName(match[1])) return match[1];
  for (const selector of listItems) {
    const link = button.closest(selector.item)?.querySelector<HTMLAnchorElement>(selector.link);
    if (link) return repositoryOfLink(link);
  }
  return repositoryOf(new URL(location.href), document);
}

export default defineFeature({
  id: "star-popover",
  include: [isRepositoryPage, isRepositoryList],
  init(signal, env) {
    let open: AbortController | null = null;
    document.addEventListener(
      "click",
      (event) => {
        const button = (event.target as Element | null)?.closest?.(starButton);
        if (!button) return;
        const fullName = repositoryOfButton(button);
        if (!fullName) return;
        open?.abort();
        const popover = new AbortController();
        open = popover;
        signal.addEventListener("abort", () => popover.abort(), { once: true });
        // The host goes after the form (the popover's place in the tab order); the popover itself
        // floats by the button (github/floating.ts), wherever GitHub's layout puts the host.
        const place = button.closest("form") ?? button;
        void (async () => {
          const known = (await env.lookup([fullName]))[fullName] ?? null;
          await mountShadow(env, {
            name: "starwise-star-popover",
            anchor: place,
            append: "after",
            css,
            signal: popover.signal,
            view: () => (
              <StarPopover
                fullName={fullName}
                initial={known}
                anchor={button}
                onSaved={env.remember}
                onClose={() => popover.abort()}
              />
            ),
          });
        })().catch((error: unknown) => logFailure("star-popover", error));
      },
      { signal, capture: true },
    );
  },
});
