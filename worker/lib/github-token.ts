import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import type { Services } from "../services";
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
export async function loadGithubUser(
  services: Pick<Services, "db" | "secrets">,
  userId: number,
): Promise<GithubUser | null> {
  const [row] = await services.db
    .select({
      id: users.id,
      githubId: users.githubId,
      login: users.login,
      tokenStatus: users.tokenStatus,
      tokenCiphertext: users.tokenCiphertext,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) return null;
  let token: string | null = null;
  try {
    token = await services.secrets.open(row.tokenCiphertext, tokenContext(row.githubId));
  } catch (error) {
    if (error instanceof ApiError) throw error; // not_configured: the deployment's problem, not the user's
  }
  return { id: row.id, githubId: row.githubId, login: row.login, tokenStatus: row.tokenStatus, token };
}

/** Additional data bound to a stored GitHub token: it only decrypts on its owner's row. */
export function tokenContext(githubId: number): string {
  return `github-token:${githubId}`;
}
