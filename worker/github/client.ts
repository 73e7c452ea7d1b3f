import { z } from "zod";
import { configOf } from "../config";
import type { Bindings } from "../env";
import { GithubError, githubErrorFromResponse } from "./errors";

export type GithubConfig = { apiUrl: string; graphqlUrl: string; userAgent: string };

/** GitHub's base URLs as worker/config.ts parsed them (defaults, trailing slashes removed). */
export function githubConfig(env: Pick<Bindings, "GITHUB_API_URL" | "GITHUB_GRAPHQL_URL">): GithubConfig {
  return { ...configOf(env).github, userAgent: "starwise" };
}

const AuthenticatedUser = z.object({
  id: z.number().int(),
  login: z.string().min(1),
  avatar_url: z.string().nullable().optional(),
});
export type AuthenticatedUser = z.infer<typeof AuthenticatedUser>;

/** Small REST calls made outside a sync (the sync's strategies live beside this file). */
export class GithubClient {
  readonly config: GithubConfig;

  constructor(config: GithubConfig) {
    this.config = config;
  }

  /** `GET /user`: proves the token works and says whose it is. */
  async getAuthenticatedUser(token: string, signal?: AbortSignal): Promise<AuthenticatedUser> {
    const response = await this.request("/user", token, signal);
    const parsed = AuthenticatedUser.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new GithubError("unavailable", "GitHub answered GET /user with an unexpected body");
    return parsed.data;
  }

  async request(path: string, token: string, signal?: AbortSignal, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.config.apiUrl}${path}`, {
        ...init,
        signal: signal ?? AbortSignal.timeout(15_000),
        headers: {
          Accept: "application/vnd.github+json",
          "X-GitHub-Api-Version": "2022-11-28",
          "User-Agent": this.config.userAgent,
          ...init.headers,
          Authorization: `Bearer ${token}`,
        },
      });
    } catch (cause) {
      throw new GithubError("unavailable", `GitHub could not be reached: ${String(cause)}`, { cause });
    }
    if (!response.ok) throw await githubErrorFromResponse(response);
    return response;
  }
}
