-- Spelling (docs/architecture.md §7, "Typos"; worker/search/spelling.ts): FTS5's vocabulary of the
-- public repositories' index, one row per word with how many repositories use it. Read only for a
-- query word that matched nothing, by a range of words (the same first two letters), to find the
-- words one edit away. Public text only, as the scores of `repositories_fts`: no user's notes, tags
-- or private README is in it. A view onto the index: nothing stored, nothing to keep in step.
-- Hand-written (drizzle-kit cannot express FTS5; `drizzle-kit generate --custom`).
CREATE VIRTUAL TABLE `repositories_fts_vocab` USING fts5vocab('repositories_fts', 'row');
