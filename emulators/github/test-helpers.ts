// Helpers shared by the emulator's tests: HTTP shortcuts and validation against GitHub's OpenAPI schemas.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import type { GithubEmulator } from "./server.ts";

export const OCTOCAT_TOKEN = "emulator-token-octocat";
export const STAR_JSON = "application/vnd.github.star+json";

export interface CallOptions {
  token?: string | null;
  accept?: string;
  headers?: Record<string, string>;
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

/** A request to the emulator's API, authenticated as octocat unless `token` says otherwise. */
export function call(emulator: GithubEmulator, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? OCTOCAT_TOKEN : options.token;
  if (token !== null) headers.authorization = `token ${token}`;
  if (options.accept) headers.accept = options.accept;
  const init: RequestInit = { method: options.method ?? (options.body === undefined ? "GET" : "POST"), headers };
  if (options.body !== undefined)
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  return fetch(`${emulator.url}${path}`, init);
}

export async function callJson<T = any>(
  emulator: GithubEmulator,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const response = await call(emulator, path, options);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A GraphQL query over plain HTTP (to see status codes and raw error bodies). */
export function graphql<T = any>(
  emulator: GithubEmulator,
  query: string,
  variables?: Record<string, unknown>,
  token: string | null = OCTOCAT_TOKEN,
) {
  return callJson<T>(emulator, "/graphql", { token, body: { query, variables } });
}

/** The control API (no auth). */
export async function control<T = any>(
  emulator: GithubEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const init: RequestInit = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${emulator.url}/_emulator/${path}`, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function parseLinks(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? "").split(",")) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (match) links[match[2] as string] = match[1] as string;
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI validation

let validators: Map<string, ValidateFunction> | undefined;
let ajv: Ajv | undefined;

/**
 * Validates a value against `#/components/schemas/<name>` of GitHub's official OpenAPI description.
 * The whole components object is registered as one schema document so its `$ref`s resolve.
 */
export function openapiErrors(name: string, value: unknown): string[] {
  if (!ajv) {
    const require = createRequire(import.meta.url);
    const spec = JSON.parse(
      readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8"),
    ) as {
      components: Record<string, unknown>;
    };
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    const addFormats = addFormatsModule as unknown as (instance: Ajv) => Ajv;
    addFormats(ajv);
    ajv.addSchema({ $id: "https://api.github.com/openapi.json", components: { schemas: spec.components.schemas } });
    validators = new Map();
  }
  let validate = validators?.get(name);
  if (!validate) {
    validate = ajv.getSchema(`https://api.github.com/openapi.json#/components/schemas/${name}`);
    if (!validate) throw new Error(`no OpenAPI schema ${name}`);
    validators?.set(name, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}
