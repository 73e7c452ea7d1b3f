import type { Bindings } from "../env";
import { tokenContext } from "../routes/auth";
import { SecretBox } from "../lib/crypto";

export type RunUser = { id: number; githubId: number; login: string; tokenStatus: "valid" | "invalid"; token: string };

/**
 * The user and their GitHub token, read fresh inside each step: the token must never
 * travel in a step's result (results are persisted by the Workflow engine).
 */
export async function loadRunUser(env: Bindings, userId: number): Promise<RunUser | null> {
  const row = await env.DB.prepare(
    "select id, github_id, login, token_status, token_ciphertext from users where id = ?",
  )
    .bind(userId)
    .first<{ id: number; github_id: number; login: string; token_status: "valid" | "invalid"; token_ciphertext: string }>();
  if (!row) return null;
  const token = await new SecretBox(env.TOKEN_ENCRYPTION_KEY).open(row.token_ciphertext, tokenContext(row.github_id));
  return { id: row.id, githubId: row.github_id, login: row.login, tokenStatus: row.token_status, token };
}
