// Cron evaluation for Benchmark spec.schedule / spec.timeZone, following the Kubernetes CronJob
// parser (robfig/cron ParseStandard): five fields or a macro, evaluated in an IANA time zone.

/** A parsed cron schedule; each array is indexed by the field's value. */
export interface Schedule {
  readonly minute: readonly boolean[]; // 0-59
  readonly hour: readonly boolean[]; // 0-23
  readonly dayOfMonth: readonly boolean[]; // 1-31
  readonly month: readonly boolean[]; // 1-12
  readonly dayOfWeek: readonly boolean[]; // 0-6, 0 = Sunday
  /** The day field was `*` or `?` (unstepped); cron ORs the day fields only when neither is. */
  readonly dayOfMonthStar: boolean;
  readonly dayOfWeekStar: boolean;
}

// openMax: upper end for `*` and `a/n` (day-of-week accepts 7 only when written out);
// question: `?` is allowed and means `*`.
type Field = { name: string; min: number; max: number; openMax?: number; names?: string[]; question?: true };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, question: true },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 0, max: 7, openMax: 6, names: DAYS, question: true },
];
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const PART = /^(?:([*?])|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/i;

function fieldValue(token: string, f: Field): number | string {
  const named = f.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return named + f.min;
  if (!/^\d+$/.test(token)) return `${f.name}: invalid value "${token}"`;
  const n = Number(token);
  return n < f.min || n > f.max ? `${f.name}: ${n} is out of range ${f.min}-${f.max}` : n;
}

type Parsed = { values: boolean[]; star: boolean };

function parseField(text: string, f: Field): Parsed | string {
  const values = new Array<boolean>(f.max + 1).fill(false);
  let star = false;
  for (const part of text.split(',')) {
    const m = PART.exec(part);
    if (!m) return `${f.name}: invalid value "${part}"`;
    const [, wildcard, low, high, stepText] = m;
    if (wildcard === '?' && !f.question) return `${f.name}: "?" is only allowed in the day fields`;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return `${f.name}: step in "${part}" must be a positive number`;
    let start = f.min;
    let end = f.openMax ?? f.max;
    if (wildcard !== undefined) {
      star ||= step === 1;
    } else {
      const a = fieldValue(low ?? '', f);
      if (typeof a === 'string') return a;
      const b = high !== undefined ? fieldValue(high, f) : stepText !== undefined ? Math.max(a, end) : a;
      if (typeof b === 'string') return b;
      if (a > b) return `${f.name}: range start ${a} is after its end ${b} in "${part}"`;
      [start, end] = [a, b];
    }
    for (let v = start; v <= end; v += step) values[v] = true;
  }
  return { values, star };
}

/** Parses a CronJob-style schedule, or returns an error naming the offending field. */
export function parseSchedule(expr: string): Schedule | { error: string } {
  const trimmed = expr.trim();
  const text = trimmed.startsWith('@') ? MACROS[trimmed] : trimmed;
  if (text === undefined) return { error: `unsupported macro "${trimmed}"` };
  const texts = text.split(/\s+/).filter((t) => t !== '');
  if (texts.length !== FIELDS.length) {
    return { error: `expected 5 fields (minute hour day-of-month month day-of-week), got ${texts.length}` };
  }
  const fields: Parsed[] = [];
  for (const [i, f] of FIELDS.entries()) {
    const parsed = parseField(texts[i] ?? '', f);
    if (typeof parsed === 'string') return { error: parsed };
    fields.push(parsed);
  }
  const [minute, hour, dom, month, dow] = fields as [Parsed, Parsed, Parsed, Parsed, Parsed];
  if (dow.values[7]) dow.values[0] = true;
  return {
    minute: minute.values,
    hour: hour.values,
    dayOfMonth: dom.values,
    month: month.values,
    dayOfWeek: dow.values.slice(0, 7),
    dayOfMonthStar: dom.star,
    dayOfWeekStar: dow.star,
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HORIZON_DAYS = 5 * 366;
const MAX_MISSED = 100;
const WALL_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const isUtc = (tz: string): boolean => tz === 'UTC' || tz === 'Etc/UTC';

/** The wall-clock reading in `tz` at instant `ms`, encoded as if it were a UTC timestamp. */
function wallAt(ms: number, tz: string): number {
  if (isUtc(tz)) return ms;
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      ...Object.fromEntries(WALL_PARTS.map((p) => [p, 'numeric'])),
    });
    formatters.set(tz, f);
  }
  const w = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const { type, value } of f.formatToParts(ms)) {
    if (type in w) w[type as keyof typeof w] = Number(value);
  }
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The first instant whose wall clock reads `wall`, or undefined when a DST gap skips it. */
function instantOf(wall: number, tz: string): number | undefined {
  if (isUtc(tz)) return wall;
  let first: number | undefined;
  let tried: number | undefined;
  // Offsets half a day either side cover both sides of any transition near `wall`.
  for (const probe of [wall - 12 * HOUR, wall + 12 * HOUR]) {
    const offset = wallAt(probe, tz) - probe;
    if (offset === tried) continue;
    tried = offset;
    const t = wall - offset;
    if (wallAt(t, tz) === wall && (first === undefined || t < first)) first = t;
  }
  return first;
}

function dayMatches(s: Schedule, day: Date): boolean {
  if (!s.month[day.getUTCMonth() + 1]) return false;
  const dom = s.dayOfMonth[day.getUTCDate()] === true;
  const dow = s.dayOfWeek[day.getUTCDay()] === true;
  return s.dayOfMonthStar || s.dayOfWeekStar ? dom && dow : dom || dow;
}

/**
 * The first whole minute strictly after `after` that matches `schedule` on the wall clock of
 * `timeZone`; wall times skipped by DST never run and repeated ones run once (first occurrence).
 * Undefined when nothing matches within five years. Throws RangeError for an unknown time zone.
 */
export function nextRunAfter(schedule: Schedule, after: Date, timeZone = 'UTC'): Date | undefined {
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) return undefined;
  // A wall time earlier than the one at `after` can only recur after it by a backward jump, and
  // then its first occurrence was already before `after`.
  const start = Math.floor(wallAt(afterMs, timeZone) / MINUTE) * MINUTE;
  const firstDay = Math.floor(start / DAY) * DAY;
  for (let day = firstDay; day <= firstDay + HORIZON_DAYS * DAY; day += DAY) {
    if (!dayMatches(schedule, new Date(day))) continue;
    for (let h = 0; h < 24; h++) {
      if (!schedule.hour[h] || day + (h + 1) * HOUR <= start) continue;
      for (let m = 0; m < 60; m++) {
        const wall = day + h * HOUR + m * MINUTE;
        if (!schedule.minute[m] || wall < start) continue;
        const t = instantOf(wall, timeZone);
        if (t !== undefined && t > afterMs) return new Date(t);
      }
    }
  }
  return undefined;
}

/**
 * Like CronJob: the most recent scheduled time in (lastScheduled, now] and how many scheduled
 * times fell in that interval, counted up to 100 (100 means "100 or more").
 */
export function missedRuns(
  schedule: Schedule,
  lastScheduled: Date,
  now: Date,
  timeZone = 'UTC',
): { latest?: Date; count: number } {
  function* runsAfter(from: Date): Generator<Date> {
    let t = nextRunAfter(schedule, from, timeZone);
    for (; t !== undefined && t.getTime() <= now.getTime(); t = nextRunAfter(schedule, t, timeZone)) yield t;
  }
  let latest: Date | undefined;
  let count = 0;
  for (const t of runsAfter(lastScheduled)) {
    latest = t;
    if (++count === MAX_MISSED) break;
  }
  if (count === MAX_MISSED && latest !== undefined) {
    // Too many to walk: look back from `now` over doubling windows for the most recent run.
    for (let window = MINUTE, from = 0; from !== latest.getTime(); window *= 2) {
      from = Math.max(latest.getTime(), now.getTime() - window);
      const recent = [...runsAfter(new Date(from))].at(-1);
      if (recent !== undefined) return { latest: recent, count };
    }
  }
  return latest === undefined ? { count } : { latest, count };
}
