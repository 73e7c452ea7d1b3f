-- Search (docs/architecture.md §7): the keyword half's two FTS5 indexes, for Chinese and English.
-- Hand-written (drizzle-kit cannot express FTS5 or triggers; `drizzle-kit generate --custom`); the
-- long expressions were generated, each one is the same pattern described here.
--
-- Tokenizer. unicode61 keeps a run of CJK characters as one token (so the 2-character word 框架
-- inside 一个前端框架 matches nothing), and the trigram tokenizer matches nothing shorter than 3
-- characters and makes the index ~2.6× larger and writes ~7× slower (measured on the corpus).
-- So the index stays unicode61 (English words, prefix queries), and every indexed value is
-- followed by the overlapping CJK bigrams of its text: "一个前端框架" gets "一个 个前 前端 端框 框架".
-- A query's CJK run is asked as its bigrams (worker/library/terms.ts), so 2-character words
-- are found and longer ones rank by how many of their bigrams match. The bigrams are made
-- in SQL so the triggers stay the only writers: a recursive CTE cuts the text into
-- 65-character chunks that overlap by one character (substr is O(n), so walking a 20,000
-- character README character by character would be quadratic), and keeps the pairs of
-- adjacent CJK characters (Han incl. extension A and compatibility, kana, Hangul). Text
-- without CJK skips it (the GLOB). GitHub names and topics are ASCII: indexed as they are.
--
-- Two indexes, because what a user sees is per user (docs/architecture.md §2):
-- - repositories_fts (rowid = repositories.id): GitHub's text, global — name, full name,
--   description, topics, the README's first 20,000 characters.
-- - stars_fts (rowid = user_id * 2^32 + repository_id, so a user's rows are one rowid range
--   FTS5 can seek): the user's own text — custom tags and category, the AI tags and summary
--   of the analysis the user reads (stars.analysis_id → analyses), custom description, notes.
--   Only rows with such text are indexed.
-- The AI columns of repositories are no longer indexed: nothing writes them (analyses are
-- per user now). Triggers fire only when indexed text really changed (migrations/0002).
DROP TRIGGER IF EXISTS `repositories_fts_ai`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `repositories_fts_au`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `repositories_fts_ad`;
--> statement-breakpoint
DROP TABLE IF EXISTS `repositories_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `repositories_fts` USING fts5(
	name,
	full_name,
	description,
	topics,
	readme,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_ai` AFTER INSERT ON `repositories` BEGIN
	INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, readme)
	SELECT new.id, new.name,
		new.full_name,
		ifnull(new.description, '') || ifnull(char(10) || (CASE WHEN new.description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.description, 65), substr(new.description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		new.topics,
		ifnull(substr(new.readme_content, 1, 20000), '') || ifnull(char(10) || (CASE WHEN substr(new.readme_content, 1, 20000) GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(substr(new.readme_content, 1, 20000), 65), substr(substr(new.readme_content, 1, 20000), 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '');
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_au` AFTER UPDATE OF name, full_name, description, topics, readme_content ON `repositories`
WHEN old.name IS NOT new.name
	OR old.full_name IS NOT new.full_name
	OR old.description IS NOT new.description
	OR old.topics IS NOT new.topics
	OR substr(old.readme_content, 1, 20000) IS NOT substr(new.readme_content, 1, 20000)
BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
	INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, readme)
	SELECT new.id, new.name,
		new.full_name,
		ifnull(new.description, '') || ifnull(char(10) || (CASE WHEN new.description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.description, 65), substr(new.description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		new.topics,
		ifnull(substr(new.readme_content, 1, 20000), '') || ifnull(char(10) || (CASE WHEN substr(new.readme_content, 1, 20000) GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(substr(new.readme_content, 1, 20000), 65), substr(substr(new.readme_content, 1, 20000), 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '');
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_ad` AFTER DELETE ON `repositories` BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, readme)
	SELECT r.id, r.name,
		r.full_name,
		ifnull(r.description, '') || ifnull(char(10) || (CASE WHEN r.description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(r.description, 65), substr(r.description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		r.topics,
		ifnull(substr(r.readme_content, 1, 20000), '') || ifnull(char(10) || (CASE WHEN substr(r.readme_content, 1, 20000) GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(substr(r.readme_content, 1, 20000), 65), substr(substr(r.readme_content, 1, 20000), 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '')
	FROM `repositories` r;
--> statement-breakpoint
CREATE VIRTUAL TABLE `stars_fts` USING fts5(
	custom_tags,
	custom_category,
	ai_tags,
	custom_description,
	ai_summary,
	notes,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `stars_fts_ai` AFTER INSERT ON `stars` BEGIN
	INSERT INTO `stars_fts` (rowid, custom_tags, custom_category, ai_tags, custom_description, ai_summary, notes)
	SELECT new.user_id * 4294967296 + new.repository_id, ifnull(new.custom_tags, '') || ifnull(char(10) || (CASE WHEN new.custom_tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_tags, 65), substr(new.custom_tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.custom_category, '') || ifnull(char(10) || (CASE WHEN new.custom_category GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_category, 65), substr(new.custom_category, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.tags, '') || ifnull(char(10) || (CASE WHEN a.tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.tags, 65), substr(a.tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.custom_description, '') || ifnull(char(10) || (CASE WHEN new.custom_description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_description, 65), substr(new.custom_description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.summary, '') || ifnull(char(10) || (CASE WHEN a.summary GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.summary, 65), substr(a.summary, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.notes, '') || ifnull(char(10) || (CASE WHEN new.notes GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.notes, 65), substr(new.notes, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '')
	FROM (SELECT 1) LEFT JOIN `analyses` a ON a.id = new.analysis_id
	WHERE coalesce(new.custom_tags, new.custom_category, new.custom_description, new.notes, a.id) IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `stars_fts_au` AFTER UPDATE OF custom_tags, custom_category, custom_description, notes, analysis_id ON `stars`
WHEN old.custom_tags IS NOT new.custom_tags
	OR old.custom_category IS NOT new.custom_category
	OR old.custom_description IS NOT new.custom_description
	OR old.notes IS NOT new.notes
	OR old.analysis_id IS NOT new.analysis_id
BEGIN
	DELETE FROM `stars_fts` WHERE rowid = old.user_id * 4294967296 + old.repository_id;
	INSERT INTO `stars_fts` (rowid, custom_tags, custom_category, ai_tags, custom_description, ai_summary, notes)
	SELECT new.user_id * 4294967296 + new.repository_id, ifnull(new.custom_tags, '') || ifnull(char(10) || (CASE WHEN new.custom_tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_tags, 65), substr(new.custom_tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.custom_category, '') || ifnull(char(10) || (CASE WHEN new.custom_category GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_category, 65), substr(new.custom_category, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.tags, '') || ifnull(char(10) || (CASE WHEN a.tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.tags, 65), substr(a.tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.custom_description, '') || ifnull(char(10) || (CASE WHEN new.custom_description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.custom_description, 65), substr(new.custom_description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.summary, '') || ifnull(char(10) || (CASE WHEN a.summary GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.summary, 65), substr(a.summary, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(new.notes, '') || ifnull(char(10) || (CASE WHEN new.notes GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(new.notes, 65), substr(new.notes, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '')
	FROM (SELECT 1) LEFT JOIN `analyses` a ON a.id = new.analysis_id
	WHERE coalesce(new.custom_tags, new.custom_category, new.custom_description, new.notes, a.id) IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `stars_fts_ad` AFTER DELETE ON `stars` BEGIN
	DELETE FROM `stars_fts` WHERE rowid = old.user_id * 4294967296 + old.repository_id;
END;
--> statement-breakpoint
INSERT INTO `stars_fts` (rowid, custom_tags, custom_category, ai_tags, custom_description, ai_summary, notes)
	SELECT s.user_id * 4294967296 + s.repository_id, ifnull(s.custom_tags, '') || ifnull(char(10) || (CASE WHEN s.custom_tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(s.custom_tags, 65), substr(s.custom_tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(s.custom_category, '') || ifnull(char(10) || (CASE WHEN s.custom_category GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(s.custom_category, 65), substr(s.custom_category, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.tags, '') || ifnull(char(10) || (CASE WHEN a.tags GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.tags, 65), substr(a.tags, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(s.custom_description, '') || ifnull(char(10) || (CASE WHEN s.custom_description GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(s.custom_description, 65), substr(s.custom_description, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(a.summary, '') || ifnull(char(10) || (CASE WHEN a.summary GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(a.summary, 65), substr(a.summary, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), ''),
		ifnull(s.notes, '') || ifnull(char(10) || (CASE WHEN s.notes GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr(s.notes, 65), substr(s.notes, 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
		pos(part, j) AS (SELECT part, 1 FROM chunk WHERE part GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' UNION ALL SELECT part, j + 1 FROM pos WHERE j < length(part) - 1)
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '')
	FROM `stars` s LEFT JOIN `analyses` a ON a.id = s.analysis_id
	WHERE coalesce(s.custom_tags, s.custom_category, s.custom_description, s.notes, a.id) IS NOT NULL;
