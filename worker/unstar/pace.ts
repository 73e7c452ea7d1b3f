// How fast star changes go to GitHub (docs/architecture.md §4, "Unstar in bulk"). GitHub's secondary limits on
// content: "no more than 80 content-generating requests per minute and no more than 500 content-generating requests
// per hour", and "if you are making a large number of POST, PATCH, PUT, or DELETE requests for a single user … wait
// at least one second between each request" (docs.github.com, "Rate limits for the REST API" and "Best practices
// for using the REST API"). Whether a star counts as content GitHub does not say; a run keeps to both: one request
// at a time, STAR_WRITE_SPACING_MS apart (a second: 60 a minute), and STAR_WRITES_PER_HOUR in any hour, counted over
// all of the user's runs, after which it sleeps durably until the oldest of them is an hour old.

export const STAR_WRITES_PER_HOUR = 500;
export const HOUR_MS = 3_600_000;

/**
 * When the next star change may be sent, given the times (ms, ascending) of the user's changes in the last hour;
 * null = now.
 */
export function hourlyWaitUntil(recent: number[], now: number): number | null {
  const inWindow = recent.filter((at) => at > now - HOUR_MS);
  if (inWindow.length < STAR_WRITES_PER_HOUR) return null;
  // The oldest change that must leave the window before one more fits.
  const oldest = inWindow[inWindow.length - STAR_WRITES_PER_HOUR] as number;
  return oldest + HOUR_MS + 1000;
}
