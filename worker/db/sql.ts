import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `column in (…values)` with the whole list as one JSON parameter read by `json_each`: D1
 * binds at most 100 parameters per statement (https://developers.cloudflare.com/d1/platform/limits/),
 * and a page of 100 ids, or every id a sync listed, is one.
 */
export function inJsonArray(column: SQLiteColumn, values: readonly (number | string)[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}

/**
 * `excluded.<column>` in an upsert's DO UPDATE: the value the INSERT tried to write
 * (https://www.sqlite.org/lang_upsert.html).
 */
export function excluded(column: SQLiteColumn): SQL {
  return sql`excluded.${sql.identifier(column.name)}`;
}
