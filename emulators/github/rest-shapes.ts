// JSON shapes of REST responses, field for field as in GitHub's OpenAPI description
// (`repository`, `simple-user`, `private-user`, `public-user`, `content-file`). API URLs point at
// the emulator itself; web URLs point at github.com as in real responses.
import { isoSeconds } from "./http.ts";
import { isPrivate, type Readme, type Repo } from "./repos.ts";
import type { User } from "./users.ts";

interface OwnerLike {
  login: string;
  id: number;
  nodeId: string;
  type: "User" | "Organization";
}

function avatarUrl(id: number): string {
  return `https://avatars.githubusercontent.com/u/${id}?v=4`;
}

export function simpleUserJson(owner: OwnerLike, base: string) {
  const url = `${base}/users/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: owner.nodeId,
    avatar_url: avatarUrl(owner.id),
    gravatar_id: "",
    url,
    html_url: `https://github.com/${owner.login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: owner.type,
    user_view_type: "public",
    site_admin: false,
  };
}

function userOwner(user: User): OwnerLike {
  return { login: user.login, id: user.id, nodeId: user.nodeId, type: "User" };
}

export function publicUserJson(user: User, base: string) {
  return {
    ...simpleUserJson(userOwner(user), base),
    name: user.name,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 8,
    public_gists: 1,
    followers: 42,
    following: 7,
    created_at: isoSeconds(user.createdAt),
    updated_at: isoSeconds(Math.max(user.createdAt, Date.UTC(2026, 9, 1))),
  };
}

export function privateUserJson(user: User, base: string) {
  return {
    ...publicUserJson(user, base),
    user_view_type: "private",
    notification_email: null,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 1024,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: "free", space: 976562499, private_repos: 10000, collaborators: 0 },
  };
}

function licenseJson(repo: Repo, base: string) {
  const license = repo.license;
  if (!license) return null;
  return {
    key: license.key,
    name: license.name,
    spdx_id: license.spdxId,
    url: license.known ? `${base}/licenses/${license.key}` : null,
    node_id: Buffer.from(`07:License${license.key.length}`).toString("base64"),
  };
}

export interface RepositoryJsonOptions {
  /** The viewer's permissions are only present on authenticated requests. */
  permissions?: boolean;
}

export function repositoryJson(repo: Repo, base: string, options: RepositoryJsonOptions = {}) {
  const api = `${base}/repos/${repo.fullName}`;
  const html = `https://github.com/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    private: isPrivate(repo),
    owner: simpleUserJson(
      { login: repo.owner, id: repo.ownerId, nodeId: repo.ownerNodeId, type: repo.ownerType },
      base,
    ),
    html_url: html,
    description: repo.description,
    fork: repo.fork,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: isoSeconds(repo.createdAt),
    updated_at: isoSeconds(repo.updatedAt),
    pushed_at: isoSeconds(repo.pushedAt),
    git_url: `git://github.com/${repo.fullName}.git`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: repo.homepage,
    size: repo.sizeKb,
    stargazers_count: repo.stargazers,
    watchers_count: repo.stargazers,
    language: repo.language,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: repo.forks,
    mirror_url: null,
    archived: repo.archived,
    disabled: repo.disabled === true,
    open_issues_count: repo.openIssues,
    license: licenseJson(repo, base),
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [...repo.topics],
    visibility: isPrivate(repo) ? "private" : "public",
    forks: repo.forks,
    open_issues: repo.openIssues,
    watchers: repo.stargazers,
    default_branch: repo.defaultBranch,
    ...(options.permissions
      ? { permissions: { admin: false, maintain: false, push: false, triage: false, pull: true } }
      : {}),
  };
}

/**
 * `minimal-repository`, as lists such as `GET /users/{username}/repos` send it: the same fields as
 * `repository` (real list items carry them all), without `permissions` for anonymous callers.
 */
export function minimalRepositoryJson(repo: Repo, base: string, options: RepositoryJsonOptions = {}) {
  return repositoryJson(repo, base, options);
}

/** GitHub wraps base64 content at 60 characters per line, each line ending in "\n". */
function wrappedBase64(bytes: Buffer): string {
  const encoded = bytes.toString("base64");
  let out = "";
  for (let i = 0; i < encoded.length; i += 60) out += `${encoded.slice(i, i + 60)}\n`;
  return out;
}

/** Above 1 MB GitHub's JSON variant no longer inlines the content (only raw works). */
const INLINE_LIMIT = 1024 * 1024;

export function contentFileJson(repo: Repo, readme: Readme, base: string) {
  const api = `${base}/repos/${repo.fullName}`;
  const self = `${api}/contents/${readme.path}?ref=${repo.defaultBranch}`;
  const git = `${api}/git/blobs/${readme.sha}`;
  const html = `https://github.com/${repo.fullName}/blob/${repo.defaultBranch}/${readme.path}`;
  const inline = readme.size <= INLINE_LIMIT;
  return {
    name: readme.name,
    path: readme.path,
    sha: readme.sha,
    size: readme.size,
    url: self,
    html_url: html,
    git_url: git,
    download_url: `https://raw.githubusercontent.com/${repo.fullName}/${repo.defaultBranch}/${readme.path}`,
    type: "file",
    content: inline ? wrappedBase64(readme.bytes) : "",
    encoding: inline ? "base64" : "none",
    _links: { self, git, html },
  };
}
