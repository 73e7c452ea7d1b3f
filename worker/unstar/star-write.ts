import { eq } from "drizzle-orm";
import type { StarWrite } from "../../shared/unstar";
import { users } from "../db/schema";
import { loadGithubUser } from "../lib/github-token";
import type { Services } from "../services";

// May this user's token star and unstar (docs/architecture.md §4, "Unstar in bulk")? GitHub: `PUT` and `DELETE
// /user/starred/{owner}/{repo}` need, on a classic token, the `public_repo` scope (or `repo`, which includes it and
// is the one that reaches private repositories); on a fine-grained token the user permission "Starring: write".
// A classic token lists its scopes in `X-OAuth-Scopes` on every answer, recorded at sign-in: one without either is
// refused here, before any request. A fine-grained token has no such header: the first star change tells (a 403
// "Resource not accessible by personal access token"), and that refusal is recorded.

export type StarWriteRow = {
  tokenScopes: string | null;
  tokenScopesAt: Date | null;
  starWriteRefusedAt: Date | null;
};

export function scopeList(scopes: string): string[] {
  return scopes
    .split(",")
    .map((scope) => scope.trim())
    .filter(Boolean);
}

/** What the recorded scopes and refusals say; `tokenScopesAt` null (signed in before they were recorded): unknown. */
export function starWriteOf(row: StarWriteRow): StarWrite {
  const refusedAt = row.starWriteRefusedAt?.toISOString() ?? null;
  if (row.tokenScopesAt === null)
    return { state: "unknown", token: null, scopes: null, privateRepositories: false, refusedAt };
  if (row.tokenScopes === null) {
    return {
      state: row.starWriteRefusedAt ? "refused" : "unknown",
      token: "fine-grained",
      scopes: null,
      // A fine-grained token's "Starring" permission is the user's: it reaches every repository the token sees.
      privateRepositories: true,
      refusedAt,
    };
  }
  const scopes = scopeList(row.tokenScopes);
  const full = scopes.includes("repo");
  return {
    state: full || scopes.includes("public_repo") ? "allowed" : "missing",
    token: "classic",
    scopes: row.tokenScopes,
    privateRepositories: full,
    refusedAt,
  };
}

export async function readStarWrite(services: Pick<Services, "db">, userId: number): Promise<StarWrite> {
  const [row] = await services.db
    .select({
      tokenScopes: users.tokenScopes,
      tokenScopesAt: users.tokenScopesAt,
      starWriteRefusedAt: users.starWriteRefusedAt,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return starWriteOf(row ?? { tokenScopes: null, tokenScopesAt: null, starWriteRefusedAt: null });
}

/**
 * The star-write state, asking GitHub's `GET /user` once for the scopes of a token signed in before they were
 * recorded (one request, no mutation). GitHub failing leaves it unknown: the run's first change will tell.
 */
export async function ensureStarWrite(
  services: Pick<Services, "db" | "secrets" | "github">,
  userId: number,
): Promise<StarWrite> {
  const known = await readStarWrite(services, userId);
  if (known.token !== null) return known;
  const user = await loadGithubUser(services, userId);
  if (!user?.token || user.tokenStatus === "invalid") return known;
  const profile = await services.github
    .forToken(user.token)
    .getAuthenticatedUser()
    .catch((error: unknown) => {
      console.warn(`user ${userId}: the token's scopes could not be read`, error);
      return null;
    });
  if (!profile) return known;
  await services.db
    .update(users)
    .set({ tokenScopes: profile.scopes, tokenScopesAt: new Date() })
    .where(eq(users.id, userId));
  return readStarWrite(services, userId);
}

/** GitHub's answer to a fine-grained token without "Starring: write" (403, `X-Accepted-GitHub-Permissions`). */
export function isWriteRefusal(status: number | null, message: string): boolean {
  return status === 403 && /resource not accessible by (personal access token|integration)/i.test(message);
}
