// Storage calls take at most 128 keys each: the batching both the stream hub (revoked sessions) and the tickets need.

/** Keys per storage `put`/`delete` call (developers.cloudflare.com/durable-objects/api/storage-api). */
export const STORAGE_BATCH = 128;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `storage.delete` takes at most 128 keys a call. */
export async function deleteKeys(storage: DurableObjectStorage, keys: string[]): Promise<void> {
  for (const chunk of chunks(keys, STORAGE_BATCH)) await storage.delete(chunk);
}
