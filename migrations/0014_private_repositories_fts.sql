-- Privacy of ranking (docs/architecture.md §7): the text of private repositories leaves the
-- shared keyword index. FTS5's bm25 weighs a word by how many rows of the whole table hold it
-- and a field by its average length over the whole table, so a private README in
-- `repositories_fts` moved every other user's scores (an outside probe read a word of another
-- user's private README from the scores). Now:
-- - repositories_fts: public repositories only. Its statistics are made of public text; bm25
--   over it ranks as before.
-- - private_repositories_fts (new, same columns, rowid = repositories.id): private ones. Only
--   matched, never scored by its statistics: the search weighs a match by the fields it is in
--   and the word's rarity in the user's own library (worker/search/keyword.ts), as for the
--   user's own text in stars_fts.
-- The triggers of 0005 are recreated to write each repository to the index of its visibility
-- (a repository made public or private moves); their bigram expressions are 0005's, unchanged.
-- Hand-written (drizzle-kit cannot express FTS5 or triggers; `drizzle-kit generate --custom`).
DROP TRIGGER IF EXISTS `repositories_fts_ai`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `repositories_fts_au`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `repositories_fts_ad`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `private_repositories_fts` USING fts5(
	name,
	full_name,
	description,
	topics,
	readme,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `private_repositories_fts` (rowid, name, full_name, description, topics, readme)
	SELECT rowid, name, full_name, description, topics, readme FROM `repositories_fts`
	WHERE rowid IN (SELECT id FROM `repositories` WHERE is_private);
--> statement-breakpoint
DELETE FROM `repositories_fts` WHERE rowid IN (SELECT id FROM `repositories` WHERE is_private);
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
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '') WHERE NOT new.is_private;
	INSERT INTO `private_repositories_fts` (rowid, name, full_name, description, topics, readme)
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
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '') WHERE new.is_private;
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_au` AFTER UPDATE OF name, full_name, description, topics, readme_content, is_private ON `repositories`
WHEN old.name IS NOT new.name
	OR old.full_name IS NOT new.full_name
	OR old.description IS NOT new.description
	OR old.topics IS NOT new.topics
	OR substr(old.readme_content, 1, 20000) IS NOT substr(new.readme_content, 1, 20000)
	OR old.is_private IS NOT new.is_private
BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
	DELETE FROM `private_repositories_fts` WHERE rowid = old.id;
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
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '') WHERE NOT new.is_private;
	INSERT INTO `private_repositories_fts` (rowid, name, full_name, description, topics, readme)
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
		SELECT group_concat(substr(part, j, 2), ' ') FROM pos WHERE (unicode(substr(part, j, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j, 1)) BETWEEN 44032 AND 55215) AND (unicode(substr(part, j + 1, 1)) BETWEEN 13312 AND 40959 OR unicode(substr(part, j + 1, 1)) BETWEEN 63744 AND 64255 OR unicode(substr(part, j + 1, 1)) BETWEEN 12352 AND 12543 OR unicode(substr(part, j + 1, 1)) BETWEEN 44032 AND 55215)) END), '') WHERE new.is_private;
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_ad` AFTER DELETE ON `repositories` BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
	DELETE FROM `private_repositories_fts` WHERE rowid = old.id;
END;
