// The OpenDigger emulator's fault rules (control API `POST /_emulator/faults`): the common rules
// (../common/faults.ts), selected by repository and file, with OpenDigger's own outcome, a 200 that
// is not JSON (`nonJson`).
import type { FaultKind, FaultRuleBase } from "../common/faults.ts";

export interface FaultRuleInput extends FaultRuleBase {
  /** Only this repository ("owner/repo", case-insensitive). */
  repo?: string;
  /** Only this file ("openrank.json", "meta.json", …). */
  file?: string;
  body?: string;
  /** Answer 200 with a body that is not JSON (an HTML error page from a proxy). */
  nonJson?: boolean;
}

export interface FileRequest {
  /** "owner/repo" */
  repo: string;
  file: string;
}

export const OPENDIGGER_FAULTS: FaultKind<FaultRuleInput, FileRequest> = {
  checkSelectors(rule) {
    if (rule.repo !== undefined && (typeof rule.repo !== "string" || !rule.repo.includes("/")))
      throw new Error('repo must be "owner/repo"');
    if (rule.file !== undefined && typeof rule.file !== "string")
      throw new Error('file must be a string like "openrank.json"');
  },
  outcomes: ["nonJson"],
  decides: (rule) => rule.nonJson === true,
  matcher: (rule) => (request) =>
    (rule.repo === undefined || rule.repo.toLowerCase() === request.repo.toLowerCase()) &&
    (rule.file === undefined || rule.file === request.file),
};
