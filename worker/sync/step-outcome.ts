import { GithubError } from "../github/errors";

// What a GitHub step of the sync counted, and the GitHub trouble it hands back to the run
// (worker/sync/sync-workflow.ts) instead of failing.

export type Counts = {
  listed: number;
  new: number;
  updated: number;
  readmesChecked: number;
  failures: number;
  rowsWritten: number;
  /** Rows D1 wrote beyond the rows themselves: the FTS index, through its triggers. */
  triggerRows: number;
};
export const zeroCounts = (): Counts => ({
  listed: 0,
  new: 0,
  updated: 0,
  readmesChecked: 0,
  failures: 0,
  rowsWritten: 0,
  triggerRows: 0,
});
export function addCounts(a: Counts, b: Counts): Counts {
  return {
    listed: a.listed + b.listed,
    new: a.new + b.new,
    updated: a.updated + b.updated,
    readmesChecked: a.readmesChecked + b.readmesChecked,
    failures: a.failures + b.failures,
    rowsWritten: a.rowsWritten + b.rowsWritten,
    triggerRows: a.triggerRows + b.triggerRows,
  };
}

/** A step's answer about GitHub trouble the run must handle itself (not by retrying the step). */
export type Interruption =
  | { status: "wait"; until: number; reason: string }
  | { status: "fatal"; code: "github_token_invalid" | "not_found"; message: string };

export const TOKEN_INVALID = {
  status: "fatal",
  code: "github_token_invalid",
  message: "GitHub rejected the token: reconnect GitHub in Starwise",
} as const satisfies Interruption;

/** GitHub trouble that a retry of the same step cannot fix: wait for a limit, or stop. */
export function interruptionOf(error: unknown): Interruption | null {
  if (!(error instanceof GithubError)) return null;
  switch (error.kind) {
    case "token_invalid":
      return TOKEN_INVALID;
    case "rate_limited":
      return {
        status: "wait",
        until: (error.resetAt ?? new Date(Date.now() + 60_000)).getTime() + 1000,
        reason: error.message,
      };
    case "secondary_limited":
      return { status: "wait", until: Date.now() + (error.retryAfterSeconds ?? 60) * 1000, reason: error.message };
    default:
      return null;
  }
}
