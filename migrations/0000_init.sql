CREATE TABLE `repositories` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`github_id` integer NOT NULL,
	`node_id` text,
	`full_name` text NOT NULL,
	`name` text NOT NULL,
	`owner_login` text NOT NULL,
	`owner_avatar_url` text,
	`description` text,
	`html_url` text NOT NULL,
	`homepage` text,
	`stargazers_count` integer DEFAULT 0 NOT NULL,
	`language` text,
	`topics` text DEFAULT '[]' NOT NULL,
	`license` text,
	`archived` integer DEFAULT false NOT NULL,
	`fork` integer DEFAULT false NOT NULL,
	`is_private` integer DEFAULT false NOT NULL,
	`github_created_at` integer,
	`github_updated_at` integer,
	`github_pushed_at` integer,
	`meta_hash` text,
	`readme_sha` text,
	`readme_path` text,
	`readme_content` text,
	`readme_status` text,
	`readme_fetched_at` integer,
	`ai_summary` text,
	`ai_tags` text,
	`ai_platforms` text,
	`ai_language` text,
	`ai_model` text,
	`analyzed_at` integer,
	`analysis_failed` integer DEFAULT false NOT NULL,
	`analysis_attempts` integer DEFAULT 0 NOT NULL,
	`openrank` real,
	`openrank_period` text,
	`openrank_fetched_at` integer,
	`embedded_sha` text,
	`embedding_model` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `repositories_github_id_unique` ON `repositories` (`github_id`);--> statement-breakpoint
CREATE INDEX `repositories_full_name_idx` ON `repositories` ("full_name" COLLATE NOCASE);--> statement-breakpoint
CREATE INDEX `repositories_node_id_idx` ON `repositories` (`node_id`);--> statement-breakpoint
CREATE TABLE `stars` (
	`user_id` integer NOT NULL,
	`repository_id` integer NOT NULL,
	`starred_at` integer,
	`is_starred` integer DEFAULT false NOT NULL,
	`is_saved` integer DEFAULT false NOT NULL,
	`unstarred_at` integer,
	`custom_description` text,
	`custom_tags` text,
	`custom_category` text,
	`notes` text,
	`last_edited` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `repository_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `stars_user_starred_idx` ON `stars` (`user_id`,`is_starred`,`starred_at`);--> statement-breakpoint
CREATE INDEX `stars_user_category_idx` ON `stars` (`user_id`,`custom_category`);--> statement-breakpoint
CREATE INDEX `stars_repository_idx` ON `stars` (`repository_id`);--> statement-breakpoint
CREATE TABLE `sync_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`trigger` text NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`phase` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`counters` text,
	`error` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sync_runs_user_started_idx` ON `sync_runs` (`user_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`github_id` integer NOT NULL,
	`login` text NOT NULL,
	`avatar_url` text,
	`token_ciphertext` text NOT NULL,
	`token_status` text DEFAULT 'valid' NOT NULL,
	`language` text DEFAULT 'en' NOT NULL,
	`auto_sync` integer DEFAULT true NOT NULL,
	`last_synced_at` integer,
	`next_sync_at` integer,
	`settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_github_id_unique` ON `users` (`github_id`);--> statement-breakpoint
CREATE INDEX `users_due_idx` ON `users` (`auto_sync`,`next_sync_at`);