-- Full-text index over the searchable text of each repository (DESIGN §2, §7).
-- Hand-written: drizzle-kit cannot express FTS5. rowid = repositories.id.
-- A standalone (not external-content) table so the README can be indexed trimmed:
-- the first 20,000 characters carry what a person remembers of a project.
-- unicode61 does not split CJK runs into words; CJK search is the search issue's to refine.
CREATE VIRTUAL TABLE `repositories_fts` USING fts5(
	name,
	full_name,
	description,
	topics,
	ai_summary,
	ai_tags,
	readme,
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_ai` AFTER INSERT ON `repositories` BEGIN
	INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, ai_summary, ai_tags, readme)
	VALUES (new.id, new.name, new.full_name, new.description, new.topics, new.ai_summary, new.ai_tags, substr(new.readme_content, 1, 20000));
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_au` AFTER UPDATE OF name, full_name, description, topics, ai_summary, ai_tags, readme_content ON `repositories` BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
	INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, ai_summary, ai_tags, readme)
	VALUES (new.id, new.name, new.full_name, new.description, new.topics, new.ai_summary, new.ai_tags, substr(new.readme_content, 1, 20000));
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_ad` AFTER DELETE ON `repositories` BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
END;
