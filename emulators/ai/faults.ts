// The AI emulator's fault rules (control API `POST /_emulator/faults`): the common rules
// (../common/faults.ts), selected by route and model, with the AI emulator's own outcome, a spoiled
// answer (`output`).
import { checkRoute, routeMatcher, type FaultKind, type FaultRuleBase } from "../common/faults.ts";

/** How a chat answer is spoiled (the HTTP status stays 200). */
export const OUTPUT_FAULTS = ["invalid-json", "non-json", "truncated", "schema-violation", "empty"] as const;
export type OutputFault = (typeof OUTPUT_FAULTS)[number];

export interface FaultRuleInput extends FaultRuleBase {
  /**
   * "POST /v1/chat/completions", "POST /v1/embeddings", "GET /v1/models" (the common route syntax, "/v1" optional).
   * Default: every route.
   */
  route?: string;
  /** Only requests for this model. */
  model?: string;
  /** Error body; default OpenAI's error shape for the status. */
  body?: unknown;
  /**
   * Spoil the output: invalid-json (a JSON object cut short), non-json (chatty prose), truncated
   * (cut at half with finish_reason "length"), schema-violation (valid JSON of the wrong shape),
   * empty (no content). On /v1/embeddings: non-json is an HTML page, truncated a cut-off body.
   */
  output?: OutputFault;
}

export interface ModelRequest {
  method: string;
  path: string;
  model: string;
}

// The server accepts every path with or without "/v1", so rules do too.
const withoutV1 = (segments: string[]) => (segments[0] === "v1" ? segments.slice(1) : segments);

export const AI_FAULTS: FaultKind<FaultRuleInput, ModelRequest> = {
  checkSelectors(rule) {
    checkRoute(rule.route, "POST /v1/chat/completions");
    if (rule.model !== undefined && typeof rule.model !== "string") throw new Error("model must be a string");
  },
  checkOutcomes(rule) {
    if (rule.output !== undefined && !OUTPUT_FAULTS.includes(rule.output))
      throw new Error(`output must be one of ${OUTPUT_FAULTS.join(", ")}`);
  },
  outcomes: ["output"],
  decides: (rule) => rule.output !== undefined,
  matcher(rule) {
    const route = routeMatcher(rule.route, withoutV1);
    return (request) =>
      (rule.model === undefined || rule.model === request.model) && route(request.method, request.path);
  },
};
