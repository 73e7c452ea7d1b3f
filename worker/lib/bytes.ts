// Bytes ↔ text for vectors and hashes. workerd has the native `Uint8Array.fromBase64`,
// `toBase64` and `fromHex` (TC39 "Uint8Array to/from base64"), many times faster than
// btoa/atob loops over megabytes of vectors; TypeScript's ES2023 lib does not declare them
// yet, hence the narrow typed access with a plain fallback.

type Base64Options = { alphabet?: "base64" | "base64url"; omitPadding?: boolean };
type NativeStatics = {
  fromBase64?: (text: string, options?: Base64Options) => Uint8Array;
  fromHex?: (text: string) => Uint8Array;
};
type NativeBytes = { toBase64?: (options?: Base64Options) => string };

const native = Uint8Array as unknown as NativeStatics;

export function toBase64(bytes: Uint8Array, url = false): string {
  const own = (bytes as unknown as NativeBytes).toBase64;
  if (own) return own.call(bytes, url ? { alphabet: "base64url", omitPadding: true } : {});
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const base64 = btoa(binary);
  return url ? base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") : base64;
}

export function fromBase64(text: string): Uint8Array {
  if (native.fromBase64) return native.fromBase64(text);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * SQLite's `hex()` of a BLOB (how the D1 stores read float32 values: a BLOB arrives as an array of numbers, far
 * slower).
 */
export function fromHex(text: string): Uint8Array {
  if (native.fromHex) return native.fromHex(text);
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
