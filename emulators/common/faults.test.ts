// The fault rules the three emulators share: route matching, query and login selection, count,
// seeded probability, latency that adds up, the first deciding rule, validation.
import { describe, expect, it } from "vitest";
import { checkRoute, FaultList, requestMatcher, routeMatcher, type FaultKind, type FaultRuleBase } from "./faults.ts";

interface ToyRule extends FaultRuleBase {
  route?: string;
  drop?: boolean;
}

interface ToyRequest {
  method: string;
  path: string;
}

// An emulator with route selection and one outcome of its own, as the real ones extend the rules.
const TOY: FaultKind<ToyRule, ToyRequest> = {
  checkSelectors: (rule) => checkRoute(rule.route, "GET /things"),
  checkOutcomes(rule) {
    if (rule.drop !== undefined && typeof rule.drop !== "boolean") throw new Error("drop must be a boolean");
  },
  outcomes: ["drop"],
  decides: (rule) => rule.drop === true,
  matcher(rule) {
    const route = routeMatcher(rule.route);
    return (request) => route(request.method, request.path);
  },
};

const never = () => {
  throw new Error("drew for a rule that does not match");
};

describe("routeMatcher", () => {
  it("matches * and {name} against exactly one segment", () => {
    const readme = routeMatcher("GET /repos/*/{repo}/readme");
    expect(readme("GET", "/repos/octocat/hello/readme")).toBe(true);
    expect(readme("GET", "/repos/octocat/readme")).toBe(false);
    expect(readme("GET", "/repos/octocat/hello/readme/extra")).toBe(false);
    expect(readme("POST", "/repos/octocat/hello/readme")).toBe(false);
  });

  it("matches ** against any number of segments, none included", () => {
    const anyReadme = routeMatcher("GET /repos/**/readme");
    expect(anyReadme("GET", "/repos/readme")).toBe(true);
    expect(anyReadme("GET", "/repos/a/b/c/readme")).toBe(true);
    expect(anyReadme("GET", "/repos/a/b/c")).toBe(false);
    expect(routeMatcher("**")("DELETE", "/anything/at/all")).toBe(true);
  });

  it("ignores the case of literal segments and the method, and empty segments", () => {
    expect(routeMatcher("get /User/Starred")("GET", "/user/starred/")).toBe(true);
    expect(routeMatcher("GET /user/starred")("GET", "/user/starredx")).toBe(false);
  });

  it("matches every request without a pattern, with *, and every method without one", () => {
    expect(routeMatcher(undefined)("PATCH", "/x")).toBe(true);
    expect(routeMatcher(" * ")("PATCH", "/x")).toBe(true);
    expect(routeMatcher("/graphql")("POST", "/graphql")).toBe(true);
    expect(routeMatcher("/graphql")("POST", "/user")).toBe(false);
  });

  it("normalizes the pattern and the request alike", () => {
    const withoutV1 = (segments: string[]) => (segments[0] === "v1" ? segments.slice(1) : segments);
    expect(routeMatcher("POST /v1/chat/completions", withoutV1)("POST", "/chat/completions")).toBe(true);
    expect(routeMatcher("POST /chat/completions", withoutV1)("POST", "/v1/chat/completions")).toBe(true);
    expect(routeMatcher("POST /chat/completions")("POST", "/v1/chat/completions")).toBe(false);
  });
});

describe("requestMatcher", () => {
  const request = (path: string, search: string, login?: string) => ({
    method: "GET",
    path,
    search: new URLSearchParams(search),
    login,
  });

  it("needs every listed query parameter to equal the request's; others are free", () => {
    const page2 = requestMatcher({ route: "GET /user/starred", query: { page: "2", per_page: "100" } });
    expect(page2(request("/user/starred", "per_page=100&page=2&sort=created"))).toBe(true);
    expect(page2(request("/user/starred", "page=2"))).toBe(false);
    expect(page2(request("/user/starred", "page=3&per_page=100"))).toBe(false);
    expect(page2(request("/user/repos", "page=2&per_page=100"))).toBe(false);
  });

  it("selects by login, ignoring case; an anonymous request never matches a login", () => {
    const dave = requestMatcher({ login: "Dave" });
    expect(dave(request("/user", "", "dave"))).toBe(true);
    expect(dave(request("/user", "", "carol"))).toBe(false);
    expect(dave(request("/user", ""))).toBe(false);
    expect(requestMatcher({})(request("/user", ""))).toBe(true);
  });
});

describe("FaultList", () => {
  const get = (path: string): ToyRequest => ({ method: "GET", path });

  it("adds up the latency of the rules that fire; the first deciding rule stops the search", () => {
    const faults = new FaultList(TOY);
    faults.add(
      JSON.stringify([
        { latencyMs: 10 },
        { route: "GET /a", latencyMs: 5, status: 503 },
        { latencyMs: 100 },
        { drop: true },
        { status: 500 },
      ]),
    );
    const a = faults.fire(get("/a"), never);
    expect(a.latencyMs).toBe(15);
    expect(a.fault?.id).toBe(2);
    const b = faults.fire(get("/b"), never);
    expect(b.latencyMs).toBe(110);
    expect(b.fault?.id).toBe(4); // the emulator's own outcome decides too
    expect(faults.list().map((rule) => rule.fired)).toEqual([2, 1, 1, 1, 0]);
  });

  it("lets latency-only rules pass the request on", () => {
    const faults = new FaultList(TOY);
    faults.add('{"latencyMs": 20, "timeout": false}');
    expect(faults.fire(get("/a"), never)).toEqual({ latencyMs: 20, fault: undefined });
  });

  it("fires a rule with a count for its next N matching requests only", () => {
    const faults = new FaultList(TOY);
    faults.add('{"route": "GET /a", "status": 502, "count": 2}');
    expect(faults.fire(get("/b"), never).fault).toBeUndefined();
    expect([1, 2, 3].map(() => faults.fire(get("/a"), never).fault?.status)).toEqual([502, 502, undefined]);
    expect(faults.list()[0]?.fired).toBe(2);
  });

  it("draws for a probability from the given generator, only when the rule matches", () => {
    const faults = new FaultList(TOY);
    faults.add('{"route": "GET /a", "status": 500, "probability": 0.5}');
    const draws = [0.9, 0.1, 0.5];
    const random = () => draws.shift() as number;
    expect(faults.fire(get("/b"), never).fault).toBeUndefined();
    expect([1, 2, 3].map(() => faults.fire(get("/a"), random).fault?.status)).toEqual([undefined, 500, undefined]);
    expect(draws).toEqual([]);
  });

  it("answers the control API: POST adds (rules as given, then id and fired), GET lists, DELETE clears", () => {
    const faults = new FaultList(TOY);
    const logged: string[] = [];
    const added = faults.answer("POST", '{"rules": [{"status": 500, "count": 1}]}', (message) => logged.push(message));
    expect(added.status).toBe(201);
    expect(JSON.stringify(added.body)).toBe('{"faults":[{"status":500,"count":1,"id":1,"fired":0}]}');
    expect(logged).toEqual(['faults added: {"status":500,"count":1,"id":1,"fired":0}']);
    faults.answer("POST", '[{"latencyMs": 1}, {"timeout": true}]');
    expect(faults.answer("GET", "")).toEqual({ status: 200, body: { faults: faults.list() } });
    expect(faults.list().map((rule) => rule.id)).toEqual([1, 2, 3]);
    expect(faults.answer("DELETE", "")).toEqual({ status: 200, body: { cleared: 3 } });
    expect(faults.list()).toEqual([]);
  });

  it("adds none of the rules when one is malformed, with the first error", () => {
    const faults = new FaultList(TOY);
    expect(() => faults.add('[{"status": 500}, {"status": 700}]')).toThrow("status must be an HTTP status code");
    expect(faults.list()).toEqual([]);
    expect(() => faults.add("{")).toThrow(SyntaxError);
    expect(() => faults.add("")).toThrow("a fault rule must be an object");
    expect(() => faults.add('{"route": 5, "status": 99}')).toThrow('route must be a string like "GET /things"');
    expect(() => faults.add('{"status": 500, "drop": "yes", "count": 0}')).toThrow("drop must be a boolean");
    expect(() => faults.add('{"status": 500, "count": 1.5}')).toThrow("count must be a positive integer");
    expect(() => faults.add('{"status": 500, "probability": 2}')).toThrow("probability must be between 0 and 1");
    expect(() => faults.add('{"latencyMs": -1}')).toThrow("latencyMs must be >= 0");
    expect(() => faults.add('{"timeout": false}')).toThrow(
      "a rule needs at least one of status, latencyMs, timeout, drop",
    );
    expect(faults.list()).toEqual([]);
  });
});
