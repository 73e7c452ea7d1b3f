import { isRepositoryPage, repositoryOf } from "@/github/page";
import { defineFeature, logFailure } from "@/github/feature-manager";
import { observe } from "@/github/observe";
import { repoTitle } from "@/github/selectors";
import { mountShadow } from "@/github/shadow-ui";
import { RepoBadge, type BadgeState } from "@/components/repo-badge";
import { SIMILAR_LIMIT } from "@/components/similar-list";
import { explainError } from "@/lib/errors";
import { sendMessageLite as sendMessage } from "@/lib/send-message";
import css from "./repo-badge.css?inline";

// On a repository page, next to the title: starred date, a few tags, OpenRank, and on demand
// the AI summary, every tag, the note and "similar in your stars" — or "save to Starwise" when
// not in the library. A save here or in the star popover shows at once (env.remember).

export default defineFeature({
  id: "repo-badge",
  include: [isRepositoryPage],
  init(signal, env) {
    const fullName = repositoryOf(new URL(location.href), document);
    if (!fullName) return;
    let mounted = false;
    observe(
      repoTitle,
      (title) => {
        // One badge a page, whatever GitHub re-renders.
        if (mounted) return;
        mounted = true;
        void (async () => {
          const items = await env.lookup([fullName]);
          if (signal.aborted) return;
          const found = items[fullName];
          let state: BadgeState = found
            ? { kind: "in-library", item: found }
            : { kind: "not-in-library", saving: false, error: null };
          const loadSimilar = (name: string) => sendMessage("similar", { fullName: name, limit: SIMILAR_LIMIT });
          const ui = await mountShadow(env, {
            name: "starwise-repo-badge",
            anchor: title,
            append: "after",
            css,
            signal,
            view: () => <RepoBadge state={state} onSave={save} loadSimilar={loadSimilar} />,
          });
          env.onRemembered((item) => {
            if (item.fullName.toLowerCase() !== fullName.toLowerCase()) return;
            state = { kind: "in-library", item };
            ui?.rerender();
          }, signal);
          async function save() {
            state = { kind: "not-in-library", saving: true, error: null };
            ui?.rerender();
            try {
              env.remember(await sendMessage("saveRepository", { fullName: fullName! }));
            } catch (error) {
              state = { kind: "not-in-library", saving: false, error: explainError(error).text };
              ui?.rerender();
            }
          }
        })().catch((error: unknown) => logFailure("repo-badge", error));
      },
      {
        signal,
        // GitHub changed the header's markup: no badge, the page untouched, and one line in the
        // console for whoever updates github/selectors.ts (logFailure logs a feature once).
        onMissing: () =>
          logFailure(
            "repo-badge",
            new Error(`no element matches the repository title selector (${repoTitle}): GitHub's markup changed?`),
          ),
      },
    );
  },
});
