// The GitHub emulator's fault rules (control API `POST /_emulator/faults`): the common rules
// (../common/faults.ts), selected by route, query and login, with GitHub's own outcomes — a reset
// connection, an exhausted budget and a secondary rate limit.
import {
  checkQuery,
  checkRoute,
  requestMatcher,
  type AddedRule,
  type FaultKind,
  type FaultRuleBase,
  type RequestSelector,
  type SelectedRequest,
} from "../common/faults.ts";
import type { Resource } from "./ratelimit.ts";

export interface FaultRuleInput extends FaultRuleBase, RequestSelector {
  body?: unknown;
  /** Reset the connection (TCP RST) instead of answering, as a proxy or load balancer that drops it does. */
  reset?: boolean;
  /** Exhaust this budget of the requesting token; it resets after `resetInSeconds` (default 3600). */
  rateLimit?: Resource;
  resetInSeconds?: number;
  /** Answer with a secondary rate limit and block the token for `retryAfter` seconds (default 60). */
  secondary?: { retryAfter?: number };
}

export type FaultRule = AddedRule<FaultRuleInput>;

export const GITHUB_FAULTS: FaultKind<FaultRuleInput, SelectedRequest> = {
  checkSelectors(rule) {
    checkRoute(rule.route, "GET /user/starred");
    checkQuery(rule.query);
  },
  checkOutcomes(rule) {
    if (rule.rateLimit !== undefined && rule.rateLimit !== "core" && rule.rateLimit !== "graphql") {
      throw new Error('rateLimit must be "core" or "graphql"');
    }
    if (rule.resetInSeconds !== undefined && !(typeof rule.resetInSeconds === "number" && rule.resetInSeconds >= 0)) {
      throw new Error("resetInSeconds must be >= 0");
    }
    if (rule.secondary !== undefined && (typeof rule.secondary !== "object" || rule.secondary === null)) {
      throw new Error("secondary must be an object like {retryAfter: 60}");
    }
  },
  outcomes: ["reset", "rateLimit", "secondary"],
  decides: (rule) => rule.reset === true || rule.rateLimit !== undefined || rule.secondary !== undefined,
  matcher: requestMatcher,
};
