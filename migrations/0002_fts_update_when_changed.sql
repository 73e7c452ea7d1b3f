-- The FTS row of a repository is rewritten only when text it indexes really changed.
-- Hand-written (drizzle-kit cannot express triggers; generated with `drizzle-kit generate --custom`).
-- `AFTER UPDATE OF col` fires whenever `col` is in the SET list, even with the same value
-- (https://www.sqlite.org/lang_createtrigger.html): a star-count refresh that also SET the
-- description deleted and re-inserted the FTS row with up to 20,000 characters of README.
-- The WHEN clause compares what the index holds; `IS NOT` treats two NULLs as equal.
DROP TRIGGER IF EXISTS `repositories_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `repositories_fts_au` AFTER UPDATE OF name, full_name, description, topics, ai_summary, ai_tags, readme_content ON `repositories`
WHEN old.name IS NOT new.name
	OR old.full_name IS NOT new.full_name
	OR old.description IS NOT new.description
	OR old.topics IS NOT new.topics
	OR old.ai_summary IS NOT new.ai_summary
	OR old.ai_tags IS NOT new.ai_tags
	OR substr(old.readme_content, 1, 20000) IS NOT substr(new.readme_content, 1, 20000)
BEGIN
	DELETE FROM `repositories_fts` WHERE rowid = old.id;
	INSERT INTO `repositories_fts` (rowid, name, full_name, description, topics, ai_summary, ai_tags, readme)
	VALUES (new.id, new.name, new.full_name, new.description, new.topics, new.ai_summary, new.ai_tags, substr(new.readme_content, 1, 20000));
END;
