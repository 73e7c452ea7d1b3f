-- The user's tag vocabulary (docs/architecture.md §2, "Tags"): AI tags come from shared analyses,
-- so a user's rename, merge or hide of one is a row here, applied when that user reads, never a
-- change to `analyses`. `canonical` NULL = hidden. Keyed by the AI tag exactly as analyses hold it.
CREATE TABLE `tag_aliases` (
	`user_id` integer NOT NULL,
	`alias` text NOT NULL,
	`canonical` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `alias`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Every tag operation with what undoing it needs (worker/tags/operations.ts): the request, the alias
-- rows as they were, and (in `tag_operation_rows`, ≤ 500 stars a chunk) each changed star's custom
-- tags as they were. `idempotency_key` makes a retried request answer with the first one's result.
CREATE TABLE `tag_operations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`idempotency_key` text,
	`kind` text NOT NULL,
	`request` text NOT NULL,
	`aliases` text NOT NULL,
	`status` text NOT NULL,
	`result` text,
	`created_at` integer NOT NULL,
	`undone_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tag_operations_user_key_idx` ON `tag_operations` (`user_id`,`idempotency_key`);
--> statement-breakpoint
CREATE INDEX `tag_operations_user_idx` ON `tag_operations` (`user_id`,`id`);
--> statement-breakpoint
CREATE TABLE `tag_operation_rows` (
	`operation_id` integer NOT NULL,
	`chunk` integer NOT NULL,
	`rows` text NOT NULL,
	PRIMARY KEY(`operation_id`, `chunk`),
	FOREIGN KEY (`operation_id`) REFERENCES `tag_operations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- The gardener's proposals the user dismissed (by the proposal's stable id), and the tags the user
-- filtered the library by (an AI tag never filtered by is one the user never looked at).
CREATE TABLE `tag_dismissals` (
	`user_id` integer NOT NULL,
	`proposal_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `proposal_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `tag_views` (
	`user_id` integer NOT NULL,
	`tag` text NOT NULL COLLATE NOCASE,
	`viewed_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `tag`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Bumped to rewrite a star's `stars_fts` row when the reading of its AI tags changed (an alias
-- added or removed): the trigger below is the index's only writer, so the mapping is applied in
-- one place, in bounded batches of stars (worker/tags/writes.ts), never one request a row.
ALTER TABLE `stars` ADD `tags_revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- The triggers of 0005, the AI tags read through the user's `tag_aliases` (an aliased tag as its
-- canonical, a hidden one left out); a new analysis a sync points a star at is indexed the same way.
DROP TRIGGER `stars_fts_ai`;
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
		ifnull((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), '') || ifnull(char(10) || (CASE WHEN (SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL) GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), 65), substr((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
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
DROP TRIGGER `stars_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `stars_fts_au` AFTER UPDATE OF custom_tags, custom_category, custom_description, notes, analysis_id, tags_revision ON `stars`
WHEN old.custom_tags IS NOT new.custom_tags
	OR old.custom_category IS NOT new.custom_category
	OR old.custom_description IS NOT new.custom_description
	OR old.notes IS NOT new.notes
	OR old.analysis_id IS NOT new.analysis_id
	OR old.tags_revision IS NOT new.tags_revision
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
		ifnull((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), '') || ifnull(char(10) || (CASE WHEN (SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL) GLOB '*[㐀-䶿一-鿿豈-﫿぀-ヿ가-힯]*' THEN (WITH RECURSIVE
		chunk(rest, part) AS (SELECT substr((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), 65), substr((SELECT CASE WHEN a.tags IS NULL THEN NULL ELSE json_group_array(coalesce(m.canonical, j.value)) END FROM json_each(a.tags) j LEFT JOIN `tag_aliases` m ON m.user_id = new.user_id AND m.alias = j.value WHERE m.alias IS NULL OR m.canonical IS NOT NULL), 1, 65) UNION ALL SELECT substr(rest, 65), substr(rest, 1, 65) FROM chunk WHERE length(rest) > 1),
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
