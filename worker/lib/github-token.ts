import type { Bindings } from "../env";
import { tokenContext } from "../routes/auth";
import { SecretBox } from "./crypto";
import { ApiError } from "./errors";

export type GithubUser = {
  id: number;
  githubId: number;
  login: string;
  tokenStatus: "valid" | "invalid";
  /** null when the stored token can no longer be decrypted (the key was rotated): only a new sign-in helps. */
  token: string | null;
};

/**
 * A user with their GitHub token, decrypted. Read fresh wherever it is needed: inside a
 * Workflow step it must never travel in the step's result (results are persisted).
 */
export async function loadGithubUser(env: Pick<Bindings, "DB" | "TOKEN_ENCRYPTION_KEY">, userId: number): Promise<GithubUser | null> {
  const row = await env.DB.prepare("select id, github_id, login, token_status, token_ciphertext from users where id = ?")
    .bind(userId)
    .first<{ id: number; github_id: number; login: string; token_status: "valid" | "invalid"; token_ciphertext: string }>();
  if (!row) return null;
  let token: string | null = null;
  try {
    token = await new SecretBox(env.TOKEN_ENCRYPTION_KEY).open(row.token_ciphertext, tokenContext(row.github_id));
  } catch (error) {
    if (error instanceof ApiError) throw error; // not_configured: the deployment's problem, not the user's
  }
  return { id: row.id, githubId: row.github_id, login: row.login, tokenStatus: row.token_status, token };
}
