import { tagsOf } from "@/components/repo-badge";
import { Line } from "@/components/untrusted-text";
import { defineFeature, logFailure } from "@/github/feature-manager";
import { observe } from "@/github/observe";
import { isRepositoryList, repositoryOfLink } from "@/github/page";
import { listItems } from "@/github/selectors";
import { mountShadow } from "@/github/shadow-ui";
import { cleanLine } from "@/lib/clean-text";
import { formatNumber, t } from "@/lib/i18n";
import css from "./list-chips.css?inline";

// On repository lists (your stars, a user's repositories, search, trending, topics):
// small tag chips on the repositories that are in your library. All names on the page
// go to the background in one message, so the Worker sees one lookup per page.

const MAX_CHIPS = 3;

export default defineFeature({
  id: "list-chips",
  include: [isRepositoryList],
  init(signal, env) {
    let pending: Array<{ link: HTMLAnchorElement; fullName: string }> = [];
    let flushQueued = false;

    const flush = async () => {
      flushQueued = false;
      const batch = pending;
      pending = [];
      if (batch.length === 0 || signal.aborted) return;
      const items = await env.lookup([...new Set(batch.map((entry) => entry.fullName))]);
      for (const { link, fullName } of batch) {
        const item = items[fullName];
        if (!item || signal.aborted) continue;
        const all = tagsOf(item);
        const tags = all.slice(0, MAX_CHIPS);
        const rest = all.slice(MAX_CHIPS);
        await mountShadow(env, {
          name: "starwise-list-chips",
          anchor: link,
          append: "after",
          css,
          signal,
          view: () => (
            <span class="chips" title={t("chipsTitle")}>
              <span class="brand" role="img" aria-label={t(item.starred ? "badgeStarred" : "badgeSaved")}>
                ★
              </span>
              {tags.map((tag) => (
                <Line class="chip" key={tag} text={tag} />
              ))}
              {rest.length > 0 && (
                <span class="chip more" title={rest.map(cleanLine).join(", ")}>
                  +{formatNumber(rest.length)}
                </span>
              )}
            </span>
          ),
        });
      }
    };

    for (const selector of listItems) {
      observe(
        selector.item,
        (item) => {
          const link = item.querySelector<HTMLAnchorElement>(selector.link);
          const fullName = link ? repositoryOfLink(link) : null;
          if (!link || !fullName) return;
          pending.push({ link, fullName });
          if (!flushQueued) {
            flushQueued = true;
            // Items found in one scan (the whole server-rendered list) go out together.
            setTimeout(() => void flush().catch((error: unknown) => logFailure("list-chips", error)), 0);
          }
        },
        { signal },
      );
    }
  },
});
