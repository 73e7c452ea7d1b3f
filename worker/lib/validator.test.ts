import { Hono } from "hono";
import { hc, type InferRequestType } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { ErrorBody } from "../../shared/errors";
import { LONE_SURROGATE_MESSAGE } from "../../shared/text";
import { api, BASE, workerFetch } from "../test/helpers";
import { ApiError } from "./errors";
import { textRule, validate } from "./validator";

const Body = z.object({
  name: z.string().min(1, "name is required"),
  tags: z.array(z.string()).max(2, "at most 2 tags"),
  /** Callers may leave it out; the handler always gets a number. */
  limit: z.coerce.number().int().default(10),
});

// As the Worker's app is built: the text rule at the door, then the route's validator.
const app = new Hono()
  .use(textRule)
  .post("/things", validate("json", Body), (c) => {
    const body = c.req.valid("json");
    expectTypeOf(body).toEqualTypeOf<{ name: string; tags: string[]; limit: number }>();
    return c.json(body, 200);
  })
  .get(
    "/things",
    validate(
      "query",
      z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.string(), f: z.string() }),
    ),
    (c) => c.json(c.req.valid("query"), 200),
  );
app.onError((error, c) =>
  error instanceof ApiError ? c.json(error.toJSON(), error.status) : c.json({ unexpected: String(error) }, 500),
);

const client = hc<typeof app>("https://validator.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init),
});

describe("validate", () => {
  it("passes the parsed value to the handler", async () => {
    const response = await client.things.$post({ json: { name: "x", tags: [] } });
    expect(await response.json()).toEqual({ name: "x", tags: [], limit: 10 });
  });

  it("answers 400 bad_request naming each wrong field, through the app's error handler", async () => {
    const response = await app.request("/things", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "", tags: ["a", "b", "c"] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: "bad_request", message: "Invalid json: name: name is required; tags: at most 2 tags" },
    });
  });

  it("names the target and lists at most five problems", async () => {
    const response = await app.request("/things");
    const { error } = ErrorBody.parse(await response.json());
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(/^Invalid query: a: .+; b: .+; c: .+; d: .+; e: [^;]+$/);
  });

  it("the API's typed client sees each schema's input type, not any", async () => {
    expectTypeOf<InferRequestType<typeof client.things.$post>["json"]>().toEqualTypeOf<{
      name: string;
      tags: string[];
      limit?: unknown;
    }>();
    type TokenInput = InferRequestType<ReturnType<typeof api>["api"]["auth"]["token"]["$post"]>;
    expectTypeOf<TokenInput>().toEqualTypeOf<{ json: { githubToken: string } }>();
    // @ts-expect-error githubToken is a string in the contract (shared/api.ts)
    const response = await api().api.auth.token.$post({ json: { githubToken: 42 } });
    expect(ErrorBody.parse(await response.json()).error).toEqual({
      code: "bad_request",
      message: "Invalid json: githubToken: Invalid input: expected string, received number",
    });
  });

  it("the Worker's routes answer with the same messages as before", async () => {
    const response = await workerFetch(`${BASE}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ githubToken: "a b" }),
    });
    expect(response.status).toBe(400);
    expect(ErrorBody.parse(await response.json()).error.message).toBe(
      "Invalid json: githubToken: githubToken must be printable ASCII without spaces",
    );
  });

  // The body of a JSON route is read only when it says it is JSON; anything else is "not
  // JSON", never a missing-field error about a body that was never looked at.
  it.each([
    ["text/plain", "text/plain"],
    ["form-encoded", "application/x-www-form-urlencoded"],
    ["no Content-Type", null],
    ["a JSON look-alike", "application/jsonp"],
  ])("answers 415 unsupported_media_type for %s on a JSON route", async (_, contentType) => {
    const response = await app.request("/things", {
      method: "POST",
      ...(contentType ? { headers: { "Content-Type": contentType } } : {}),
      body: JSON.stringify({ name: "x", tags: [] }),
    });
    expect(response.status).toBe(415);
    const { error } = ErrorBody.parse(await response.json());
    expect(error.code).toBe("unsupported_media_type");
    expect(error.message).toMatch(/the body must be JSON/i);
  });

  it.each(["application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"])(
    "takes %s as JSON",
    async (contentType) => {
      const response = await app.request("/things", {
        method: "POST",
        headers: { "Content-Type": contentType },
        body: JSON.stringify({ name: "x", tags: [] }),
      });
      expect(response.status).toBe(200);
    },
  );

  it("answers a Worker route the same way (sign-in with a form body)", async () => {
    const response = await workerFetch(`${BASE}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ githubToken: "ghp_x" }),
    });
    expect(response.status).toBe(415);
    expect(ErrorBody.parse(await response.json()).error.code).toBe("unsupported_media_type");
  });

  // shared/text.ts: JSON can carry "\ud800", UTF-8 (D1) cannot store it.
  it.each([
    ["a field", '{"name":"a\\ud800","tags":[]}', "name"],
    ["an array item", '{"name":"x","tags":["ok","\\udc00b"]}', "tags.1"],
    ["an unknown key", '{"name":"x","tags":[],"\\ud83d":1}', "\ud83d"],
  ])("refuses a lone surrogate in %s with 400 naming it", async (_, body, field) => {
    const response = await app.request("/things", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(response.status).toBe(400);
    const { error } = ErrorBody.parse(await response.json());
    expect(error.code).toBe("bad_request");
    expect(error.message).toBe(`Invalid json: ${field}: ${LONE_SURROGATE_MESSAGE}`);
  });

  it("takes surrogate pairs (emoji, CJK beyond the BMP) as the text they are", async () => {
    const response = await app.request("/things", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"name":"\\ud83d\\ude80 𠀀","tags":[]}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: "🚀 𠀀" });
  });
});
