CREATE TABLE `vector_values` (
	`namespace` text NOT NULL,
	`id` text NOT NULL,
	`values` blob NOT NULL,
	PRIMARY KEY(`namespace`, `id`)
);
--> statement-breakpoint
-- The exact values move beside the scan codes instead of inside their rows (worker/db/schema/vectors.ts says why).
INSERT INTO `vector_values` (`namespace`, `id`, `values`) SELECT `namespace`, `id`, `values` FROM `vectors`;
--> statement-breakpoint
ALTER TABLE `vectors` DROP COLUMN `values`;