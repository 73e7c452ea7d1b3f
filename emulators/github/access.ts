// Per-repository access states (control API `POST /_emulator/repo-state`): what GitHub answers
// for a repository it blocks for its terms, took down after a DMCA notice, that sits behind an
// organisation's SAML single sign-on, that was deleted, or that its owner made private.
//
// The decision of who sees what is `UserStore.sight` (users.ts); this module holds the states and
// GitHub's bodies and headers for them.
import { createHash } from "node:crypto";
import { isoSeconds, json, type EmuResponse } from "./http.ts";
import { ownerIdOf, type Repo } from "./repos.ts";

export const REPO_STATES = ["ok", "blocked", "dmca", "sso", "deleted", "private"] as const;
export type RepoState = (typeof REPO_STATES)[number];

export function isRepoState(value: unknown): value is RepoState {
  return typeof value === "string" && (REPO_STATES as readonly string[]).includes(value);
}

/** A state other than ok, since when, and for `sso` the organisation that enforces SAML. */
export interface RepoAccess {
  state: Exclude<RepoState, "ok">;
  /** When the state was set (ms): the block's `created_at`. */
  since: number;
  /** `sso` only: the organisation's login. */
  org?: string;
}

/**
 * How a viewer sees a repository: normally; listed but refused (`blocked`: GitHub blocked it for
 * its terms, it stays in star lists); refused and not listed (`dmca`, `sso`); not at all (`gone`:
 * unknown, deleted, or private to someone else).
 */
export type Sight = "ok" | "blocked" | "dmca" | "sso" | "gone";

/** Whether star lists (REST and GraphQL) show a repository seen this way. */
export function isListed(sight: Sight): boolean {
  return sight === "ok" || sight === "blocked";
}

export const BLOCKED_MESSAGE = "Repository access blocked";
export const SSO_MESSAGE =
  "Resource protected by organization SAML enforcement. " +
  "You must grant your Personal Access token access to this organization.";
const SSO_DOCS = "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/";

/**
 * The organisation id in `X-GitHub-SSO: partial-results; organizations=<id>` (the owner id when the org is the owner).
 */
export function ssoOrgId(org: string): number {
  return ownerIdOf(org);
}

/**
 * Where the user authorises the token for the organisation. GitHub's `authorization_request` is an
 * opaque token; here it is stable per organisation and user, so tests can compare it.
 */
export function ssoUrl(org: string, login: string): string {
  const request = createHash("sha256")
    .update(`${org.toLowerCase()}\n${login.toLowerCase()}`)
    .digest("base64url")
    .slice(0, 40);
  return `https://github.com/orgs/${org}/sso?authorization_request=${request}`;
}

/** `X-GitHub-SSO` on an answer refused for SAML. */
export function ssoRequiredHeader(org: string, login: string): Record<string, string> {
  return { "x-github-sso": `required; url=${ssoUrl(org, login)}` };
}

/** `X-GitHub-SSO` on a list that left out the repositories of these organisations. */
export function ssoPartialHeader(orgIds: readonly number[]): Record<string, string> {
  return orgIds.length > 0 ? { "x-github-sso": `partial-results; organizations=${orgIds.join(",")}` } : {};
}

/** The organisation whose SAML guards a repository in state `sso` (the owner unless set). */
export function ssoOrg(repo: Repo): string {
  return repo.access?.org ?? repo.owner;
}

/** Where GitHub publishes the notice of a DMCA takedown (github/dmca, `<year>/<date>-<name>.md`). */
function dmcaNoticeUrl(repo: Repo, since: number): string {
  const date = isoSeconds(since).slice(0, 10);
  return `https://github.com/github/dmca/blob/master/${date.slice(0, 4)}/${date}-${repo.name.toLowerCase()}.md`;
}

/** GitHub's body for a blocked (`tos`) or taken-down (`dmca`) repository. */
function blockBody(repo: Repo) {
  const access = repo.access;
  const since = access?.since ?? 0;
  const reason = access?.state === "dmca" ? "dmca" : "tos";
  return {
    message: BLOCKED_MESSAGE,
    block: {
      reason,
      created_at: isoSeconds(since),
      html_url: reason === "dmca" ? dmcaNoticeUrl(repo, since) : "https://github.com/tos",
    },
  };
}

/**
 * The REST answer for a repository the viewer may not use: 403 (blocked for its terms), 451 (DMCA),
 * 403 with `X-GitHub-SSO: required` (SAML). undefined for `ok`; `gone` is the caller's 404.
 */
export function restRefusal(sight: Sight, repo: Repo, login: string | undefined): EmuResponse | undefined {
  switch (sight) {
    case "blocked":
      return json(403, blockBody(repo));
    case "dmca":
      return json(451, blockBody(repo));
    case "sso":
      return json(
        403,
        { message: SSO_MESSAGE, documentation_url: SSO_DOCS },
        ssoRequiredHeader(ssoOrg(repo), login ?? ""),
      );
    default:
      return undefined;
  }
}
