// The corpus of real repositories (metadata + README text) that the emulator's universe is built from.
//
// README texts are loaded lazily and cached per corpus directory, so several emulator instances in
// one process (tests) share one copy, and a 50,000-star universe never holds more than the corpus.
// README text is third-party data: it is only ever served, never interpreted.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface CorpusRepo {
  fullName: string;
  owner: string;
  name: string;
  description: string | null;
  homepage: string | null;
  language: string | null;
  topics: readonly string[];
  licenseSpdx: string | null;
  readmeFile: string;
}

export interface Corpus {
  dir: string;
  repos: readonly CorpusRepo[];
  /** README text of repos[index] (UTF-8, exactly as stored). */
  readme(index: number): string;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the corpus lives: option, then STARWISE_CORPUS_DIR, then emulators/github/corpus in the repository. */
export function resolveCorpusDir(explicit?: string): string {
  return explicit ?? process.env.STARWISE_CORPUS_DIR ?? path.join(here, "corpus");
}

const cache = new Map<string, Corpus>();

export function loadCorpus(explicitDir?: string): Corpus {
  const dir = path.resolve(resolveCorpusDir(explicitDir));
  const cached = cache.get(dir);
  if (cached) return cached;

  const listFile = path.join(dir, "repos.jsonl");
  if (!existsSync(listFile)) {
    throw new Error(
      `GitHub emulator: corpus not found at ${dir} (missing repos.jsonl). ` +
        "Pass corpusDir / --corpus or set STARWISE_CORPUS_DIR to the directory holding repos.jsonl and readmes/.",
    );
  }
  const repos: CorpusRepo[] = [];
  for (const line of readFileSync(listFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const raw = JSON.parse(line) as Record<string, unknown>;
    const fullName = String(raw.full_name);
    const [owner = "", name = ""] = fullName.split("/");
    repos.push({
      fullName,
      owner: typeof raw.owner_login === "string" ? raw.owner_login : owner,
      name: typeof raw.name === "string" ? raw.name : name,
      description: typeof raw.description === "string" && raw.description ? raw.description : null,
      homepage: typeof raw.homepage === "string" && raw.homepage ? raw.homepage : null,
      language: typeof raw.language === "string" ? raw.language : null,
      topics: Array.isArray(raw.topics) ? raw.topics.map(String) : [],
      licenseSpdx: typeof raw.license_spdx === "string" ? raw.license_spdx : null,
      readmeFile: String(raw.readme_file),
    });
  }
  if (repos.length === 0) throw new Error(`GitHub emulator: corpus at ${dir} has no repositories`);

  const texts = new Map<number, string>();
  const corpus: Corpus = {
    dir,
    repos,
    readme(index) {
      let text = texts.get(index);
      if (text === undefined) {
        const repo = repos[index];
        if (!repo) throw new RangeError(`corpus index ${index} out of range`);
        text = readFileSync(path.join(dir, "readmes", repo.readmeFile), "utf8");
        texts.set(index, text);
      }
      return text;
    },
  };
  cache.set(dir, corpus);
  return corpus;
}
