import { ApiError } from "./errors";

/**
 * Secrets at rest (GitHub tokens, AI API keys): AES-256-GCM with a key from the Worker
 * secret TOKEN_ENCRYPTION_KEY. The owner's id is bound as additional data, so a
 * ciphertext copied onto another user's row does not decrypt.
 * Format: `v1.<base64url iv>.<base64url ciphertext+tag>`.
 */
export class SecretBox {
  readonly #key: Promise<CryptoKey>;

  constructor(base64Key: string | null | undefined) {
    this.#key = importKey(base64Key);
    // Avoid an unhandled rejection when the box is built but never used.
    this.#key.catch(() => undefined);
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: utf8(context) },
      await this.#key,
      utf8(plaintext),
    );
    return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
  }

  async open(sealed: string, context: string): Promise<string> {
    const [version, iv, ciphertext] = sealed.split(".");
    if (version !== "v1" || !iv || !ciphertext) throw new Error("Unknown secret format");
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: utf8(context) },
      await this.#key,
      fromBase64Url(ciphertext),
    );
    return new TextDecoder().decode(plaintext);
  }
}

async function importKey(base64Key: string | null | undefined): Promise<CryptoKey> {
  let raw: Uint8Array<ArrayBuffer> = new Uint8Array();
  try {
    if (base64Key) raw = fromBase64Url(base64Key.trim());
  } catch {
    // Not base64 at all: reported below exactly like a key of the wrong length.
  }
  if (raw.byteLength !== 32) {
    throw new ApiError(
      "not_configured",
      "TOKEN_ENCRYPTION_KEY must be set to 32 random bytes in base64 (see .dev.vars.example)",
    );
  }
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** A new random session token (256 bits). */
export function newSessionToken(): string {
  return `sws_${randomBase64Url()}`;
}

/** `bytes` random bytes as base64url (32 → 43 characters). */
export function randomBase64Url(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", utf8(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Accepts base64 and base64url, padded or not. */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
