CREATE TABLE `embedding_cache` (
	`model` text NOT NULL,
	`chunk_sha` text NOT NULL,
	`values` blob NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`model`, `chunk_sha`)
);
--> statement-breakpoint
CREATE TABLE `vector_namespaces` (
	`namespace` text PRIMARY KEY NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `vectors` (
	`namespace` text NOT NULL,
	`id` text NOT NULL,
	`repository_id` integer NOT NULL,
	`scale` real NOT NULL,
	`error` real NOT NULL,
	`code` text NOT NULL,
	`values` blob NOT NULL,
	PRIMARY KEY(`namespace`, `id`)
);
--> statement-breakpoint
ALTER TABLE `stars` ADD `embedded_source` text;--> statement-breakpoint
ALTER TABLE `stars` ADD `embedded_chunks` integer;