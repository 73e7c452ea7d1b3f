-- GitHub star Lists (docs/architecture.md §2, §4 "Lists"): each user's Lists as GitHub last answered them (keyed by
-- GitHub's node id, so a renamed List keeps its memberships), the memberships of repositories Starwise knows, an
-- opt-in link from a List to a tag that is pushed both ways, and per user the last read of the Lists (the token's
-- scopes GitHub sends with it update `users.token_scopes`, migration 0017).
CREATE TABLE `github_lists` (
	`user_id` integer NOT NULL,
	`list_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text,
	`is_private` integer DEFAULT false NOT NULL,
	`item_count` integer DEFAULT 0 NOT NULL,
	`last_added_at` integer,
	`updated_at` integer,
	`items_read_at` integer,
	`linked_tag` text,
	PRIMARY KEY(`user_id`, `list_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `github_list_items` (
	`user_id` integer NOT NULL,
	`list_id` text NOT NULL,
	`repository_id` integer NOT NULL,
	PRIMARY KEY(`user_id`, `list_id`, `repository_id`),
	FOREIGN KEY (`repository_id`) REFERENCES `repositories`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`,`list_id`) REFERENCES `github_lists`(`user_id`,`list_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `github_list_items_repository_idx` ON `github_list_items` (`user_id`,`repository_id`);--> statement-breakpoint
ALTER TABLE `users` ADD `lists_read_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `lists_error` text;
