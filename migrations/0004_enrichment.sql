CREATE TABLE `analyses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`input_sha` text NOT NULL,
	`model` text NOT NULL,
	`language` text NOT NULL,
	`summary` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`platforms` text DEFAULT '[]' NOT NULL,
	`input_tokens` integer,
	`output_tokens` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `analyses_input_model_language_idx` ON `analyses` (`input_sha`,`model`,`language`);--> statement-breakpoint
ALTER TABLE `stars` ADD `analysis_id` integer REFERENCES analyses(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `stars` ADD `analysis_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `stars` ADD `embedded_sha` text;--> statement-breakpoint
ALTER TABLE `stars` ADD `embedding_model` text;