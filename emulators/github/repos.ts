// The universe of repositories the emulated users star.
//
// Universe index (uid) u < GENERATED_LIMIT maps to corpus entry perm[u % N] and variant
// floor(u / N): variant 0 is the real repository, variant k > 0 is "<owner>/<name>-v<k>" with a
// README whose title line names the variant (so every repository has its own blob sha).
// Repositories are materialised lazily and memoised; README texts are never stored per repository
// (they are the shared corpus text plus a header), only their sha and byte length are memoised.
import type { RepoAccess } from "./access.ts";
import type { Corpus } from "./corpus.ts";
import { blobSha, encodeNodeId, sha1Hex, sortTreeItems, treeSha } from "./git.ts";
import { licenseFromSpdx, type License } from "./licenses.ts";
import { hash, hashString, permutation, pickWeighted, sequence, unit } from "./random.ts";

/** Generated data is anchored to this instant, not the wall clock, so a seed always yields the same data. */
export const DATA_NOW = Date.UTC(2026, 10, 1);
export const DAY = 86_400_000;

/** Generated uids stay below this; repositories created through the control API get uids above it. */
const GENERATED_LIMIT = 1_000_000;

/**
 * README locations and their share (per mille). Most are README.md; the rest are spread so that a
 * client that only aliases a few `HEAD:<path>` candidates misses some and must fall back to REST.
 */
export const README_PATHS: ReadonlyArray<readonly [string, number]> = [
  ["README.md", 840],
  ["readme.md", 40],
  ["Readme.md", 15],
  ["README.rst", 20],
  ["README", 15],
  ["README.markdown", 10],
  ["README.txt", 10],
  ["docs/README.md", 25],
  [".github/README.md", 25],
];
/** Share of repositories without any README. */
const NO_README = 0.04;
const PRIVATE = 0.02;
/**
 * README kinds among repositories with a README (generated ones; custom and pushed READMEs are
 * plain text). A symlink is a root README (mode 120000) whose blob is the link target path, the
 * text living at SYMLINK_TARGET; a binary README has NUL bytes (GraphQL `isBinary: true`, `text:
 * null`); a BOM README is UTF-8 text starting with EF BB BF. Shares of repositories with a README.
 */
export const README_SYMLINK = 0.01;
export const README_BINARY = 0.01;
export const README_BOM = 0.01;
export const SYMLINK_TARGET = "docs/README.md";
export type ReadmeKind = "text" | "symlink" | "binary" | "bom";
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** git modes (octal strings as in a tree object). */
export type GitMode = "100644" | "120000" | "40000";
const ARCHIVED = 0.03;
const FORK = 0.05;

export interface Repo {
  uid: number;
  id: number;
  nodeId: string;
  owner: string;
  ownerId: number;
  ownerNodeId: string;
  ownerType: "User" | "Organization";
  name: string;
  fullName: string;
  /**
   * The full name the repository was created with. Generated contents (README titles, files, the
   * head commit) are derived from it, so a rename changes no git object, as on GitHub.
   */
  createdAs: string;
  description: string | null;
  homepage: string | null;
  language: string | null;
  topics: readonly string[];
  license: License | null;
  stargazers: number;
  forks: number;
  openIssues: number;
  sizeKb: number;
  archived: boolean;
  fork: boolean;
  private: boolean;
  defaultBranch: string;
  createdAt: number;
  updatedAt: number;
  pushedAt: number;
  /**
   * When the default branch's head commit was made; absent = `pushedAt` (generated repositories were last pushed to
   * their default branch). A push of a tag or of another branch moves `pushedAt` only.
   */
  committedAt?: number;
  /** Set when archived (GraphQL `archivedAt`); generated archived repositories have none (GitHub: null before 2022). */
  archivedAt?: number;
  /** Disabled by GitHub (REST `disabled`, GraphQL `isDisabled`): still listed, its data served. */
  disabled?: boolean;
  /** Releases, oldest first (control API `POST release`); generated repositories have one or none (releaseOf). */
  releases?: Release[];
  /** Path of the README in the default branch, or null when the repository has none. */
  readmePath: string | null;
  /** What the README entry is (see README_SYMLINK and friends). */
  readmeKind: ReadmeKind;
  /** Corpus entry that provides the README text and metadata. */
  corpusIndex: number;
  variant: number;
  custom: boolean;
  /** Set by a push with a new README; replaces the generated text. */
  readmeOverride?: string;
  /** A symlinked README's target when a push chose it (SYMLINK_TARGET otherwise). */
  readmeLinkTarget?: string;
  /** Bumped on every push; part of the head commit id. */
  pushes: number;
  readmeMemo?: { sha: string; size: number };
  /** Not normal any more: blocked, taken down, behind SAML, deleted or made private (access.ts). */
  access?: RepoAccess;
}

/**
 * The README as REST `/readme` serves it. For a symlink GitHub follows the link: the bytes, sha
 * and size are the target's, while `path`/`name` stay the link's (PyGithub#2280: `get_readme().path`
 * is "README.md" for a README.md symlink).
 */
export interface Readme {
  path: string;
  name: string;
  kind: ReadmeKind;
  /** The served bytes (the target's for a symlink). */
  bytes: Buffer;
  /** git blob sha of `bytes`. */
  sha: string;
  size: number;
  /** Symlinks only: the link target path. */
  target?: string;
  /** Symlinks only: the sha of the link blob itself (its content is the target path). */
  linkSha?: string;
}

export interface RepoFile {
  path: string;
  isReadme: boolean;
  mode: "100644" | "120000";
  isBinary: boolean;
  bytes(): Buffer;
}

export interface BlobObject {
  kind: "blob";
  repo: Repo;
  path: string;
  isReadme: boolean;
  mode: "100644" | "120000";
  isBinary: boolean;
  oid: string;
  bytes(): Buffer;
}
export interface TreeEntryObject {
  name: string;
  path: string;
  type: "blob" | "tree";
  mode: GitMode;
  oid: string;
}
export interface TreeObject {
  kind: "tree";
  repo: Repo;
  path: string;
  oid: string;
  entries: TreeEntryObject[];
}
export interface CommitObject {
  kind: "commit";
  repo: Repo;
  oid: string;
  committedDate: number;
  treeOid: string;
}
export type GitObject = BlobObject | TreeObject | CommitObject;

/** A published release (drafts are not modelled: they are invisible to others). */
export interface Release {
  tagName: string;
  name: string | null;
  publishedAt: number;
  isPrerelease: boolean;
}

export interface CustomRepoInput {
  description?: string | null;
  language?: string | null;
  topics?: string[];
  private?: boolean;
  readme?: string | null;
  stargazers?: number;
  homepage?: string | null;
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,100}$/;
const OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export function isValidFullName(fullName: string): boolean {
  const [owner, name, extra] = fullName.split("/");
  return extra === undefined && !!owner && !!name && OWNER_RE.test(owner) && NAME_RE.test(name);
}

/** Private now: generated private, or made private by its owner (access state `private`). */
export function isPrivate(repo: Repo): boolean {
  return repo.private || repo.access?.state === "private";
}

/** The account id of a repository owner (or an organisation) with this login: stable, case-insensitive. */
export function ownerIdOf(login: string): number {
  return 1000 + (hashString(login.toLowerCase()) % 150_000_000);
}

/** Owner fields of a repository owned by `owner`; whether it is a user or an organisation follows from the login. */
function ownerIdentity(owner: string) {
  const ownerId = ownerIdOf(owner);
  const ownerType: "User" | "Organization" = hashString(owner.toLowerCase()) % 3 === 0 ? "User" : "Organization";
  return { owner, ownerId, ownerNodeId: encodeNodeId(ownerType === "User" ? "U" : "O", ownerId), ownerType };
}

export class Universe {
  readonly corpus: Corpus;
  readonly seed: number;
  /** Bumped on every mutation that changes repository data (for caches keyed on it). */
  version = 0;
  private readonly perm: number[];
  private readonly invPerm: number[];
  private readonly corpusByName = new Map<string, number>();
  private readonly topicsByCorpus: ReadonlyArray<readonly string[]>;
  private readonly repos = new Map<number, Repo>();
  /** Names that are not the generated ones: custom repositories and renamed ones (lower case → uid). */
  private readonly byName = new Map<string, number>();
  /** Names repositories were renamed away from (lower case → uid): GitHub redirects them. */
  private readonly formerNames = new Map<string, number>();
  /** Uids of repositories with an access state other than ok, so lists without any stay a fast path. */
  readonly restricted = new Set<number>();
  private nextCustomUid = GENERATED_LIMIT;

  constructor(corpus: Corpus, seed: number) {
    this.corpus = corpus;
    this.seed = seed;
    const n = corpus.repos.length;
    // A seed-dependent order of the corpus, so that small users star a varied sample of it.
    this.perm = permutation(n, hash(seed, "corpus-order"));
    this.invPerm = new Array<number>(n);
    this.perm.forEach((corpusIndex, position) => {
      this.invPerm[corpusIndex] = position;
    });
    for (const [index, repo] of corpus.repos.entries()) this.corpusByName.set(repo.fullName.toLowerCase(), index);
    this.topicsByCorpus = corpus.repos.map((repo) => githubTopics(repo.topics));
  }

  /** The repository with this universe index (generated on first use). */
  repo(uid: number): Repo {
    let repo = this.repos.get(uid);
    if (!repo) {
      if (uid < 0 || uid >= GENERATED_LIMIT || !Number.isInteger(uid))
        throw new RangeError(`no repository with uid ${uid}`);
      repo = this.generate(uid);
      this.repos.set(uid, repo);
    }
    return repo;
  }

  /**
   * Case-insensitive lookup by "owner/name", as GitHub resolves names; a former name finds nothing (see renamedFrom).
   */
  find(fullName: string): Repo | undefined {
    const key = fullName.toLowerCase();
    const named = this.byName.get(key);
    if (named !== undefined) return this.repos.get(named);
    const repo = this.generatedByName(key);
    // A renamed repository no longer answers to its generated name.
    return repo && repo.fullName.toLowerCase() === key ? repo : undefined;
  }

  /** The repository that was renamed away from `fullName`, unless another one has taken that name since. */
  renamedFrom(fullName: string): Repo | undefined {
    const uid = this.formerNames.get(fullName.toLowerCase());
    if (uid === undefined || this.find(fullName)) return undefined;
    return this.repos.get(uid);
  }

  /** The generated repository a lower-case name decodes to: a corpus entry or one of its `-vK` variants. */
  private generatedByName(key: string): Repo | undefined {
    const n = this.corpus.repos.length;
    const direct = this.corpusByName.get(key);
    if (direct !== undefined) return this.repo(this.invPerm[direct] as number);
    const match = /^(.+)-v([1-9][0-9]*)$/.exec(key);
    if (!match) return undefined;
    const base = this.corpusByName.get(match[1] as string);
    if (base === undefined) return undefined;
    const uid = Number(match[2]) * n + (this.invPerm[base] as number);
    return uid < GENERATED_LIMIT ? this.repo(uid) : undefined;
  }

  /** Lookup by REST `id` / GraphQL `databaseId`: ids encode the uid (see generate). */
  byDatabaseId(id: number): Repo | undefined {
    const uid = Math.floor((id - 100_000_000) / 1009);
    if (uid < 0) return undefined;
    const repo = uid < GENERATED_LIMIT ? this.repo(uid) : this.repos.get(uid);
    return repo && repo.id === id ? repo : undefined;
  }

  /**
   * Repositories owned by `login` (case-insensitive): the corpus's real repositories of that owner
   * (variant 0; the generated `-vK` variants are not listed) and custom ones created under it.
   * Most emulated users own none.
   */
  ownedBy(login: string): Repo[] {
    const key = login.toLowerCase();
    const out = new Map<number, Repo>();
    this.corpus.repos.forEach((entry, index) => {
      if (entry.owner.toLowerCase() !== key) return;
      const repo = this.repo(this.invPerm[index] as number);
      // Renamed to another owner: it is that owner's now.
      if (repo.owner.toLowerCase() === key) out.set(repo.uid, repo);
    });
    for (const uid of this.byName.values()) {
      const repo = this.repos.get(uid) as Repo;
      if (repo.owner.toLowerCase() === key) out.set(uid, repo);
    }
    return [...out.values()];
  }

  /**
   * Renames a repository (owner and/or name): `id` and `node_id` stay, the old name becomes a
   * redirect (renamedFrom) until another repository takes it. The caller checks the new name.
   */
  rename(repo: Repo, newFullName: string): void {
    const [owner = "", name = ""] = newFullName.split("/");
    const oldKey = repo.fullName.toLowerCase();
    const newKey = newFullName.toLowerCase();
    if (this.byName.get(oldKey) === repo.uid) this.byName.delete(oldKey);
    if (oldKey !== newKey) this.formerNames.set(oldKey, repo.uid);
    this.formerNames.delete(newKey);
    this.byName.set(newKey, repo.uid);
    Object.assign(repo, ownerIdentity(owner), { name, fullName: `${owner}/${name}` });
    this.version++;
  }

  /** Sets (or, with undefined, clears) a repository's access state. */
  setAccess(repo: Repo, access: RepoAccess | undefined): void {
    if (access) {
      repo.access = access;
      this.restricted.add(repo.uid);
    } else {
      delete repo.access;
      this.restricted.delete(repo.uid);
    }
    this.version++;
  }

  /** Creates a repository outside the generated universe (control API `star` of an unknown name). */
  createCustom(fullName: string, input: CustomRepoInput, now: number): Repo {
    const uid = this.nextCustomUid++;
    const [owner = "", name = ""] = fullName.split("/");
    const corpusIndex = hashString(fullName.toLowerCase()) % this.corpus.repos.length;
    const repo: Repo = {
      ...this.identity(uid, owner, name),
      description: input.description ?? null,
      homepage: input.homepage ?? null,
      language: input.language ?? null,
      topics: githubTopics(input.topics ?? []),
      license: licenseFromSpdx("MIT"),
      stargazers: input.stargazers ?? 0,
      forks: 0,
      openIssues: 0,
      sizeKb: 12,
      archived: false,
      fork: false,
      private: input.private ?? false,
      defaultBranch: "main",
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      readmePath: input.readme === null ? null : "README.md",
      readmeKind: "text",
      corpusIndex,
      variant: 0,
      custom: true,
      pushes: 0,
    };
    if (typeof input.readme === "string") repo.readmeOverride = input.readme;
    this.repos.set(uid, repo);
    this.byName.set(fullName.toLowerCase(), uid);
    this.formerNames.delete(fullName.toLowerCase());
    this.version++;
    return repo;
  }

  /**
   * A push: new pushed_at/updated_at and head commit; with `readme`, a new README blob. `path`
   * moves the README (the same blob under another name, unless `readme` changes it too); `linkTo`
   * makes the README a symlink (mode 120000) to that path, which holds the text.
   */
  push(repo: Repo, now: number, readme?: string, change: { path?: string; linkTo?: string } = {}): void {
    // A generated release is dated from the last push: fixed before the push moves it.
    repo.releases = this.releasesOf(repo);
    repo.pushes++;
    repo.pushedAt = Math.max(now, repo.pushedAt + 1000);
    repo.updatedAt = repo.pushedAt;
    // A push to the default branch: its head commit is new.
    repo.committedAt = repo.pushedAt;
    if (readme !== undefined || change.path !== undefined || change.linkTo !== undefined) {
      // The text as it is now (a symlink's: its target's), kept unless a new one is pushed.
      if (readme !== undefined || repo.readmeKind === "symlink" || repo.readmePath === null) {
        repo.readmeOverride = readme ?? (repo.readmePath === null ? "" : this.readmeText(repo));
      }
      repo.readmePath = change.path ?? repo.readmePath ?? "README.md";
      // A pushed README is a regular text file, or a link to one.
      if (repo.readmeKind !== "bom" && repo.readmeKind !== "binary") repo.readmeKind = "text";
      if (readme !== undefined) repo.readmeKind = "text";
      if (change.linkTo !== undefined) {
        repo.readmeKind = "symlink";
        repo.readmeLinkTarget = change.linkTo;
      } else delete repo.readmeLinkTarget;
      delete repo.readmeMemo;
    }
    this.version++;
  }

  /**
   * Archives (or unarchives) a repository. GitHub sets `archived` and `archivedAt` (unarchiving clears it); neither
   * is a push, so `pushed_at` stays, while `updated_at` moves.
   */
  setArchived(repo: Repo, archived: boolean, now: number): void {
    if (repo.archived === archived) return;
    repo.archived = archived;
    if (archived) repo.archivedAt = secondPrecision(now);
    else delete repo.archivedAt;
    repo.updatedAt = Math.max(repo.updatedAt, secondPrecision(now));
    this.version++;
  }

  /** GitHub disables (or re-enables) a repository: `disabled: true` in REST, `isDisabled` in GraphQL. */
  setDisabled(repo: Repo, disabled: boolean): void {
    if (disabled) repo.disabled = true;
    else delete repo.disabled;
    this.version++;
  }

  /**
   * Publishes a release. With `tagPush` its tag was pushed with git (a push: `pushed_at` moves, the default branch
   * does not); without it the release was made on github.com or through the API on a commit already there (an
   * existing tag, or a new tag on an old commit), which pushes nothing: `pushed_at` stays. `updated_at` stays too.
   */
  release(repo: Repo, release: Release, tagPush: boolean, now: number): void {
    repo.releases = [...this.releasesOf(repo), release];
    if (tagPush) {
      // The default branch's head stays where it was.
      repo.committedAt ??= repo.pushedAt;
      repo.pushedAt = Math.max(secondPrecision(now), repo.pushedAt + 1000);
    }
    this.version++;
  }

  /**
   * The repository's releases, oldest first: those published through the control API, or for a generated repository
   * a deterministic one (about half of them have one, tagged `v<major>.<minor>.<patch>`, published at or before the
   * last push).
   */
  releasesOf(repo: Repo): Release[] {
    if (repo.releases) return repo.releases;
    if (repo.custom || unit(this.seed, "has-release", repo.uid) >= 0.5) return [];
    const r = (tag: string) => unit(this.seed, tag, repo.uid);
    const major = Math.floor(r("release-major") * 5);
    const tag = `v${major}.${Math.floor(r("release-minor") * 20)}.${Math.floor(r("release-patch") * 10)}`;
    const publishedAt = secondPrecision(repo.pushedAt - (repo.pushedAt - repo.createdAt) * r("release-at") * 0.2);
    return [{ tagName: tag, name: r("release-named") < 0.7 ? tag : null, publishedAt, isPrerelease: major === 0 }];
  }

  /**
   * GitHub's `latestRelease`: the most recent published release that is not a prerelease (releases/latest: "the most
   * recent non-prerelease, non-draft release, sorted by the created_at attribute"); null when there is none.
   */
  latestRelease(repo: Repo): Release | null {
    const releases = this.releasesOf(repo).filter((release) => !release.isPrerelease);
    return releases.reduce<Release | null>(
      (latest, release) => (latest === null || release.publishedAt >= latest.publishedAt ? release : latest),
      null,
    );
  }

  /** Where a symlinked README points. */
  linkTarget(repo: Repo): string {
    return repo.readmeLinkTarget ?? SYMLINK_TARGET;
  }

  readmeText(repo: Repo): string {
    if (repo.readmeOverride !== undefined) return repo.readmeOverride;
    const base = this.corpus.readme(repo.corpusIndex);
    if (repo.custom) return `# ${repo.createdAs}\n\n${base}`;
    if (repo.variant === 0) return base;
    const original = this.corpus.repos[repo.corpusIndex]?.fullName ?? "";
    return `# ${repo.createdAs}\n\n_Variant ${repo.variant} of ${original}._\n\n${base}`;
  }

  /**
   * The bytes of the README file (for a symlink: of its target). Text READMEs are the UTF-8 text; BOM
   * READMEs have EF BB BF in front; binary READMEs are a PNG image committed as the README.
   */
  readmeBytes(repo: Repo): Buffer {
    switch (repo.readmeKind) {
      case "bom":
        return Buffer.concat([UTF8_BOM, Buffer.from(this.readmeText(repo), "utf8")]);
      case "binary":
        return binaryReadme(this.seed, repo.uid);
      default:
        return Buffer.from(this.readmeText(repo), "utf8");
    }
  }

  /** The README as REST `/readme` serves it (a symlink is followed), or null when there is none. */
  readme(repo: Repo): Readme | null {
    if (repo.readmePath === null) return null;
    const bytes = this.readmeBytes(repo);
    const memo = this.readmeMeta(repo, bytes);
    const slash = repo.readmePath.lastIndexOf("/");
    const readme: Readme = {
      path: repo.readmePath,
      name: repo.readmePath.slice(slash + 1),
      kind: repo.readmeKind,
      bytes,
      sha: memo.sha,
      size: memo.size,
    };
    if (repo.readmeKind === "symlink") {
      readme.target = this.linkTarget(repo);
      readme.linkSha = blobSha(this.linkTarget(repo));
    }
    return readme;
  }

  /** Blob sha (over the bytes) and byte size of the README, memoised because hashing a README is the expensive part. */
  private readmeMeta(repo: Repo, bytes?: Buffer): { sha: string; size: number } {
    if (!repo.readmeMemo) {
      const content = bytes ?? this.readmeBytes(repo);
      repo.readmeMemo = { sha: blobSha(content), size: content.length };
    }
    return repo.readmeMemo;
  }

  /** Every file in the default branch. Besides the README they are small generated stand-ins. */
  files(repo: Repo): RepoFile[] {
    const text = (content: string) => () => Buffer.from(content, "utf8");
    const files: RepoFile[] = [];
    if (repo.readmePath !== null) {
      const readme = {
        isReadme: true,
        mode: "100644",
        isBinary: repo.readmeKind === "binary",
        bytes: () => this.readmeBytes(repo),
      } as const;
      if (repo.readmeKind === "symlink") {
        // git stores a symlink as a blob whose content is the target path (no trailing newline).
        files.push({
          path: repo.readmePath,
          isReadme: false,
          mode: "120000",
          isBinary: false,
          bytes: text(this.linkTarget(repo)),
        });
        files.push({ path: this.linkTarget(repo), ...readme });
      } else {
        files.push({ path: repo.readmePath, ...readme });
      }
    }
    const year = new Date(repo.createdAt).getUTCFullYear();
    if (repo.license) {
      const license = repo.license;
      files.push(plain("LICENSE", `${license.name}\n\nCopyright (c) ${year} ${repo.createdAs.split("/")[0]}\n`));
    }
    files.push(plain(".gitignore", ".DS_Store\nnode_modules/\ndist/\ntarget/\n"));
    for (const [path, content] of languageFiles(repo)) files.push(plain(path, content));
    if (repo.readmePath?.startsWith("docs/") || unit(this.seed, "docs", repo.uid) < 0.4) {
      files.push(plain("docs/guide.md", `# Guide\n\nHow to use ${repo.createdAs.split("/")[1]}.\n`));
    }
    if (repo.readmePath?.startsWith(".github/") || unit(this.seed, "ci", repo.uid) < 0.5) {
      files.push(
        plain(
          ".github/workflows/ci.yml",
          "name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
        ),
      );
    }
    return files;
  }

  /**
   * Resolves a git revision expression as GitHub's `Repository.object(expression:)` does:
   * "HEAD" or the default branch name (optionally "refs/heads/<name>"), then ":<path>".
   * Paths are case-sensitive; "HEAD:" is the root tree.
   */
  resolve(repo: Repo, expression: string): GitObject | null {
    const colon = expression.indexOf(":");
    const rev = colon === -1 ? expression : expression.slice(0, colon);
    const revs = ["HEAD", repo.defaultBranch, `refs/heads/${repo.defaultBranch}`];
    if (!revs.includes(rev)) return null;
    if (colon === -1) return this.headCommit(repo);
    let path = expression.slice(colon + 1);
    if (path.endsWith("/")) path = path.slice(0, -1);
    if (path.startsWith("/") || path.includes("//")) return null;
    return this.objectAt(repo, path);
  }

  /** Looks an object up by oid among the head commit, its trees and blobs. */
  byOid(repo: Repo, oid: string): GitObject | null {
    const head = this.headCommit(repo);
    if (head.oid === oid) return head;
    const visit = (path: string): GitObject | null => {
      const object = this.objectAt(repo, path);
      if (!object) return null;
      if (object.oid === oid) return object;
      if (object.kind === "tree") {
        for (const entry of object.entries) {
          const found =
            entry.oid === oid ? this.objectAt(repo, entry.path) : entry.type === "tree" ? visit(entry.path) : null;
          if (found) return found;
        }
      }
      return null;
    };
    return visit("");
  }

  headCommit(repo: Repo): CommitObject {
    const treeOid = this.treeAt(repo, "")?.oid ?? sha1Hex("empty");
    const committedAt = repo.committedAt ?? repo.pushedAt;
    return {
      kind: "commit",
      repo,
      oid: sha1Hex(`commit ${repo.createdAs} ${repo.pushes} ${committedAt} ${treeOid}`),
      committedDate: committedAt,
      treeOid,
    };
  }

  private objectAt(repo: Repo, path: string): BlobObject | TreeObject | null {
    if (path !== "") {
      const file = this.files(repo).find((f) => f.path === path);
      if (file) return this.blob(repo, file);
    }
    return this.treeAt(repo, path);
  }

  private blob(repo: Repo, file: RepoFile): BlobObject {
    return {
      kind: "blob",
      repo,
      path: file.path,
      isReadme: file.isReadme,
      mode: file.mode,
      isBinary: file.isBinary,
      oid: file.isReadme ? this.readmeMeta(repo).sha : blobSha(file.bytes()),
      bytes: file.bytes,
    };
  }

  private treeAt(repo: Repo, dir: string): TreeObject | null {
    const prefix = dir === "" ? "" : `${dir}/`;
    const children = new Map<string, TreeEntryObject>();
    for (const file of this.files(repo)) {
      if (!file.path.startsWith(prefix)) continue;
      const rest = file.path.slice(prefix.length);
      const slash = rest.indexOf("/");
      const name = slash === -1 ? rest : rest.slice(0, slash);
      if (children.has(name)) continue;
      const path = prefix + name;
      if (slash === -1)
        children.set(name, { name, path, type: "blob", mode: file.mode, oid: this.blob(repo, file).oid });
      else
        children.set(name, {
          name,
          path,
          type: "tree",
          mode: "40000",
          oid: (this.treeAt(repo, path) as TreeObject).oid,
        });
    }
    if (children.size === 0) return dir === "" ? { kind: "tree", repo, path: "", oid: treeSha([]), entries: [] } : null;
    const entries = sortTreeItems([...children.values()]);
    return {
      kind: "tree",
      repo,
      path: dir,
      oid: treeSha(entries.map((e) => ({ name: e.name, type: e.type, mode: e.mode, sha: e.oid }))),
      entries,
    };
  }

  /** Fields shared by generated and custom repositories: ids and owner. */
  private identity(uid: number, owner: string, name: string) {
    // The id encodes the uid (plus seed-dependent jitter), so byDatabaseId needs no index.
    const id = 100_000_000 + uid * 1009 + (hash(this.seed, "id", uid) % 1009);
    return {
      uid,
      id,
      nodeId: encodeNodeId("R", id),
      ...ownerIdentity(owner),
      name,
      fullName: `${owner}/${name}`,
      createdAs: `${owner}/${name}`,
    };
  }

  private generate(uid: number): Repo {
    const n = this.corpus.repos.length;
    const corpusIndex = this.perm[uid % n] as number;
    const variant = Math.floor(uid / n);
    const source = this.corpus.repos[corpusIndex];
    if (!source) throw new Error(`corpus entry ${corpusIndex} missing`);
    const r = (tag: string) => unit(this.seed, tag, uid);
    const name = variant === 0 ? source.name : `${source.name}-v${variant}`;

    // Real repositories are older and popular; variants are a long tail of younger, smaller ones.
    const createdAt =
      variant === 0
        ? Date.UTC(2010, 0, 1) + r("created") * (Date.UTC(2022, 0, 1) - Date.UTC(2010, 0, 1))
        : Date.UTC(2011, 0, 1) + r("created") * (DATA_NOW - 120 * DAY - Date.UTC(2011, 0, 1));
    const archived = r("archived") < ARCHIVED;
    const age = DATA_NOW - createdAt;
    // Active repositories were mostly pushed to recently; archived ones long ago.
    const pushedAt = archived ? createdAt + age * r("pushed") * 0.6 : DATA_NOW - age * r("pushed") ** 3;
    const updatedAt = pushedAt + (DATA_NOW - pushedAt) * r("updated") ** 2;
    const stargazers =
      variant === 0
        ? Math.floor(Math.exp(Math.log(500) + r("stars") * Math.log(400)))
        : Math.floor(Math.exp(r("stars") * Math.log(20_000))) - 1;
    const readmeRoll = r("readme");
    const readmePath =
      readmeRoll < NO_README ? null : pickWeighted((readmeRoll - NO_README) / (1 - NO_README), README_PATHS);
    // Symlinks only for root READMEs (the target lives in docs/, where no other README is).
    const kindRoll = r("readme-kind");
    const readmeKind: ReadmeKind =
      readmePath === null
        ? "text"
        : kindRoll < README_SYMLINK
          ? readmePath.includes("/")
            ? "text"
            : "symlink"
          : kindRoll < README_SYMLINK + README_BINARY
            ? "binary"
            : kindRoll < README_SYMLINK + README_BINARY + README_BOM
              ? "bom"
              : "text";
    const defaultBranch =
      r("branch") < 0.02 ? "develop" : createdAt < Date.UTC(2020, 9, 1) && r("branch") < 0.7 ? "master" : "main";

    return {
      ...this.identity(uid, source.owner, name),
      description: source.description,
      homepage: variant === 0 || r("homepage") < 0.5 ? source.homepage : null,
      language: source.language,
      topics: this.topicsByCorpus[corpusIndex] ?? [],
      license: licenseFromSpdx(source.licenseSpdx),
      stargazers,
      forks: Math.floor(stargazers * (0.02 + 0.18 * r("forks"))),
      openIssues: Math.floor(Math.sqrt(stargazers) * r("issues")),
      sizeKb: Math.floor(50 + 80_000 * r("size") ** 3),
      archived,
      fork: variant > 0 && r("fork") < FORK,
      private: r("private") < PRIVATE,
      defaultBranch,
      createdAt: secondPrecision(createdAt),
      updatedAt: secondPrecision(updatedAt),
      pushedAt: secondPrecision(pushedAt),
      readmePath,
      readmeKind,
      corpusIndex,
      variant,
      custom: false,
      pushes: 0,
    };
  }
}

/**
 * The corpus topics of npm packages are free-form keywords; GitHub topics are lowercase letters,
 * digits and hyphens (at most 50 characters, 20 per repository), so "three.js" becomes "threejs"
 * and keywords GitHub would refuse (e.g. Chinese words) are dropped.
 */
export function githubTopics(keywords: readonly string[]): string[] {
  const topics = new Set<string>();
  for (const keyword of keywords) {
    const topic = keyword
      .toLowerCase()
      .replace(/\./g, "")
      .replace(/[\s_]+/g, "-");
    if (/^[a-z0-9][a-z0-9-]{0,49}$/.test(topic)) topics.add(topic);
  }
  return [...topics].slice(0, 20);
}

function plain(path: string, content: string): RepoFile {
  return { path, isReadme: false, mode: "100644", isBinary: false, bytes: () => Buffer.from(content, "utf8") };
}

/**
 * A binary README: a PNG image committed under the README's name (signature, IHDR, then seeded
 * bytes with NULs), 1–6 KB. Deterministic per seed and repository.
 */
function binaryReadme(seed: number, uid: number): Buffer {
  const next = sequence(hash(seed, "binary-readme", uid));
  const header = Buffer.from("89504e470d0a1a0a0000000d49484452000000400000004008060000", "hex");
  const body = Buffer.alloc(1024 + Math.floor(next() * 5 * 1024));
  for (let i = 0; i < body.length; i++) body[i] = next() < 0.1 ? 0 : Math.floor(next() * 256);
  return Buffer.concat([header, body]);
}

/** GitHub timestamps have second precision. */
export function secondPrecision(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function languageFiles(repo: Repo): Array<[string, string]> {
  const fullName = repo.createdAs;
  const pkg = (fullName.split("/")[1] ?? "").toLowerCase();
  switch (repo.language) {
    case "TypeScript":
    case "JavaScript": {
      const ext = repo.language === "TypeScript" ? "ts" : "js";
      const manifest = JSON.stringify({ name: pkg, version: "1.0.0", description: repo.description ?? "" }, null, 2);
      return [
        ["package.json", `${manifest}\n`],
        [`src/index.${ext}`, `// ${fullName}\nexport {};\n`],
      ];
    }
    case "Rust":
      return [
        ["Cargo.toml", `[package]\nname = "${pkg}"\nversion = "0.1.0"\n`],
        ["src/lib.rs", `//! ${fullName}\n`],
      ];
    case "Python":
      return [
        ["pyproject.toml", `[project]\nname = "${pkg}"\nversion = "0.1.0"\n`],
        ["src/__init__.py", `"""${fullName}"""\n`],
      ];
    case "Go":
      return [
        ["go.mod", `module github.com/${fullName}\n\ngo 1.22\n`],
        ["main.go", "package main\n\nfunc main() {}\n"],
      ];
    default:
      return [
        ["Makefile", "all:\n\t@echo build\n"],
        ["src/main.c", `/* ${fullName} */\nint main(void) { return 0; }\n`],
      ];
  }
}
