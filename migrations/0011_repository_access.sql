CREATE TABLE `sync_page_counts` (
	`run_id` text NOT NULL,
	`page` text NOT NULL,
	`new_count` integer NOT NULL,
	`updated_count` integer NOT NULL,
	PRIMARY KEY(`run_id`, `page`),
	FOREIGN KEY (`run_id`) REFERENCES `sync_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `stars` ADD `access_state` text;--> statement-breakpoint
ALTER TABLE `stars` ADD `access_message` text;--> statement-breakpoint
ALTER TABLE `stars` ADD `access_url` text;--> statement-breakpoint
ALTER TABLE `stars` ADD `access_checked_at` integer;