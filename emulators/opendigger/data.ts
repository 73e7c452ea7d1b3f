// OpenDigger's monthly export, generated: for each repository, metric files in the real format
// (one flat JSON object; `YYYY-MM` months, `YYYYQn` quarters, `YYYY` years, `2021-10-raw` where
// the 2021-10 value is interpolated because of the data outage; values rounded to 2 places;
// zero months omitted; a quarter or year is the sum of its months).
//
// What exists follows from a clock: the export runs on `exportDay` (default the 5th) and covers
// data through the previous month, so on 2026-11-20 the latest month is 2026-10 and 2026Q4 and
// 2026 are partial; on 2026-11-03 the November export has not run and the latest month is 2026-09.
// meta.json's updatedAt is the time of the export, so a client can tell which month is complete.
import { hash, unit } from "../github/random.ts";

export interface ExportClock {
  /** ms of the export that is being served (meta.json updatedAt). */
  updatedAt: number;
  /** The last month with data, "YYYY-MM" (the month before the export ran). */
  lastMonth: string;
  /** When the next export is due (the Expires header). */
  nextExport: number;
}

const EXPORT_HOUR_UTC = 3;

export function monthKey(year: number, month0: number): string {
  const d = new Date(Date.UTC(year, month0, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function exportClock(now: number, exportDay: number): ExportClock {
  const d = new Date(now);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  const thisExport = Date.UTC(y, m, exportDay, EXPORT_HOUR_UTC, 17, 42);
  if (now < thisExport) m -= 1;
  const updatedAt = Date.UTC(y, m, exportDay, EXPORT_HOUR_UTC, 17, 42);
  const nextExport = Date.UTC(y, m + 1, exportDay, EXPORT_HOUR_UTC, 17, 42);
  const last = new Date(Date.UTC(y, m - 1, 1));
  y = last.getUTCFullYear();
  return { updatedAt, lastMonth: monthKey(y, last.getUTCMonth()), nextExport };
}

export interface MetricSpec {
  /** Scale relative to OpenRank. */
  scale: number;
  /** Counts (stars, participants) are integers; scores keep 2 decimals. */
  integer: boolean;
}

export const METRICS: Record<string, MetricSpec> = {
  openrank: { scale: 1, integer: false },
  community_openrank: { scale: 0.7, integer: false },
  activity: { scale: 2.6, integer: false },
  attention: { scale: 9, integer: true },
  stars: { scale: 6, integer: true },
  technical_fork: { scale: 1.2, integer: true },
  participants: { scale: 1.8, integer: true },
  contributors: { scale: 0.6, integer: true },
  bus_factor: { scale: 0.15, integer: true },
};

/** The month of the data outage: its value is interpolated, the measured one kept as `-raw`. */
export const OUTAGE_MONTH = "2021-10";

const round2 = (v: number) => Math.round(v * 100) / 100;

interface Profile {
  /** Months of history, ending at the repository's last active month. */
  startIndex: number;
  endIndex: number;
  base: number;
  growth: number;
}

/** Month index: months since 1970-01. */
const index = (key: string) => {
  const [y, m] = key.split("-").map(Number) as [number, number];
  return (y - 1970) * 12 + (m - 1);
};
const keyOf = (i: number) => monthKey(1970 + Math.floor(i / 12), i % 12);

function profile(seed: number, repoKey: string, lastIndex: number): Profile {
  const history = 1 + Math.floor(unit(seed, "history", repoKey) * 130); // up to ~11 years
  // A tenth of the repositories went quiet some months ago: their latest months are absent.
  const quiet = unit(seed, "quiet", repoKey) < 0.1 ? 1 + Math.floor(unit(seed, "quiet-for", repoKey) * 18) : 0;
  const u = unit(seed, "level", repoKey);
  const base = Math.exp(u * 6 - 1.6) * (unit(seed, "giant", repoKey) < 0.03 ? 12 : 1);
  const growth = (unit(seed, "growth", repoKey) - 0.45) * 0.06;
  return { startIndex: lastIndex - history + 1, endIndex: lastIndex - quiet, base, growth };
}

/**
 * A metric file: months oldest first, each quarter and year after its last month (integer-like year keys sort first in
 * JSON, as in the real files).
 */
export function generateMetric(
  seed: number,
  repoKey: string,
  metric: string,
  clock: ExportClock,
): Record<string, number> {
  const spec = METRICS[metric] ?? METRICS.openrank!;
  const lastIndex = index(clock.lastMonth);
  const p = profile(seed, repoKey, lastIndex);
  const raw = (i: number) => {
    if (i < p.startIndex || i > p.endIndex) return 0;
    const age = i - p.startIndex;
    const noise = 0.7 + 0.6 * unit(seed, "noise", repoKey, metric, i);
    let v = p.base * spec.scale * Math.pow(1 + p.growth, age) * noise;
    // Small repositories have silent months.
    if (v < 0.4 && unit(seed, "silent", repoKey, i) < 0.35) v = 0;
    return spec.integer ? Math.round(v) : round2(v);
  };
  const values = new Map<number, number>();
  for (let i = p.startIndex; i <= lastIndex; i++) values.set(i, raw(i));
  const outage = index(OUTAGE_MONTH);
  const out: Record<string, number> = {};
  let quarterSum = 0;
  let yearSum = 0;
  for (let i = p.startIndex; i <= lastIndex; i++) {
    let v = values.get(i) ?? 0;
    const key = keyOf(i);
    if (i === outage && v > 0) {
      const interpolated = ((values.get(i - 1) ?? 0) + (values.get(i + 1) ?? raw(i + 1))) / 2;
      out[`${key}-raw`] = v;
      v = spec.integer ? Math.round(interpolated) : round2(interpolated);
    }
    if (v !== 0) out[key] = v;
    quarterSum += v;
    yearSum += v;
    const month = i % 12;
    const endOfQuarter = month % 3 === 2 || i === lastIndex;
    if (endOfQuarter) {
      const q = `${1970 + Math.floor(i / 12)}Q${Math.floor(month / 3) + 1}`;
      if (quarterSum !== 0) out[q] = spec.integer ? quarterSum : round2(quarterSum);
      if (month % 3 === 2) quarterSum = 0;
    }
    if (month === 11 || i === lastIndex) {
      const y = String(1970 + Math.floor(i / 12));
      if (yearSum !== 0) out[y] = spec.integer ? yearSum : round2(yearSum);
      if (month === 11) yearSum = 0;
    }
  }
  return out;
}

export function generateMeta(seed: number, repoKey: string, clock: ExportClock): Record<string, unknown> {
  const labels: Array<Record<string, string>> = [];
  if (unit(seed, "label", repoKey) < 0.25) {
    const pool = [
      { id: ":technology/web", type: "Tech-1", name: "Web" },
      { id: ":technology/database", type: "Tech-1", name: "Database" },
      { id: ":technology/ai", type: "Tech-1", name: "AI" },
      { id: ":technology/cloud_native", type: "Tech-1", name: "Cloud Native" },
    ];
    labels.push(pool[hash(seed, "label-pick", repoKey) % pool.length] as Record<string, string>);
  }
  return {
    updatedAt: clock.updatedAt,
    type: "repo",
    id: 10_000_000 + (hash(seed, "id", repoKey) % 900_000_000),
    labels,
  };
}

/**
 * Whether the export covers a repository (the rest answer 404, as repositories below OpenDigger's activity threshold
 * do).
 */
export function covered(seed: number, repoKey: string, notFoundShare: number): boolean {
  return unit(seed, "covered", repoKey) >= notFoundShare;
}

/** Latest complete month and quarter of an export — what a client should pick (not the partial quarter). */
export function completePeriods(clock: ExportClock): { month: string; quarter: string; year: string } {
  const [y, m] = clock.lastMonth.split("-").map(Number) as [number, number];
  const quarterEnd = m - (m % 3); // last month of the last complete quarter: 3, 6, 9, 12 (0 = previous year)
  const quarter = quarterEnd === 0 ? `${y - 1}Q4` : `${y}Q${quarterEnd / 3}`;
  const year = m === 12 ? String(y) : String(y - 1);
  return { month: clock.lastMonth, quarter, year };
}
