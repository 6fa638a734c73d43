import { describe, expect, it } from '@jest/globals';
import { isValidTimeZone, missedRuns, nextRunAfter, parseSchedule, type Schedule } from './schedule.js';

const parse = (expr: string): Schedule => {
  const s = parseSchedule(expr);
  if ('error' in s) throw new Error(s.error);
  return s;
};
const next = (expr: string, after: string, tz?: string): string | undefined =>
  nextRunAfter(parse(expr), new Date(after), tz)?.toISOString();

// 2026-01-15 is a Thursday.
const AFTER = '2026-01-15T10:07:30Z';

describe('nextRunAfter (UTC)', () => {
  it.each([
    ['* * * * *', AFTER, '2026-01-15T10:08:00.000Z'],
    ['5 * * * *', AFTER, '2026-01-15T11:05:00.000Z'],
    ['*/15 * * * *', AFTER, '2026-01-15T10:15:00.000Z'],
    ['*/15 * * * *', '2026-01-15T10:15:00Z', '2026-01-15T10:30:00.000Z'],
    ['0-10/5 * * * *', AFTER, '2026-01-15T10:10:00.000Z'],
    ['7/20 * * * *', AFTER, '2026-01-15T10:27:00.000Z'],
    ['0,30 9-17 * * *', AFTER, '2026-01-15T10:30:00.000Z'],
    ['0 8 * * *', AFTER, '2026-01-16T08:00:00.000Z'],
    ['0 0 1 jun *', AFTER, '2026-06-01T00:00:00.000Z'],
    ['0 0 1 Mar-May/2 *', AFTER, '2026-03-01T00:00:00.000Z'],
    ['0 9 * * MON-FRI', AFTER, '2026-01-16T09:00:00.000Z'],
    ['0 9 * * sat,SUN', AFTER, '2026-01-17T09:00:00.000Z'],
    ['0 9 * * 7', AFTER, '2026-01-18T09:00:00.000Z'],
    ['0 9 * * 0', AFTER, '2026-01-18T09:00:00.000Z'],
    ['0 0 ? * 1', AFTER, '2026-01-19T00:00:00.000Z'],
    ['@yearly', AFTER, '2027-01-01T00:00:00.000Z'],
    ['@annually', AFTER, '2027-01-01T00:00:00.000Z'],
    ['@monthly', AFTER, '2026-02-01T00:00:00.000Z'],
    ['@weekly', AFTER, '2026-01-18T00:00:00.000Z'],
    ['@daily', AFTER, '2026-01-16T00:00:00.000Z'],
    ['@hourly', AFTER, '2026-01-15T11:00:00.000Z'],
  ])('%s after %s', (expr, after, want) => {
    expect(next(expr, after)).toBe(want);
  });

  it.each([
    // Both day fields restricted: either matches.
    ['0 0 13 * 5', '2026-01-16T00:00:00.000Z'], // Friday the 16th, before the 13th of February
    ['0 0 20 * 1', '2026-01-19T00:00:00.000Z'], // Monday before the 20th
    ['0 0 */2 * 1', '2026-01-17T00:00:00.000Z'], // a stepped * is restricted (robfig), so the 17th
    // One day field unrestricted: both must match.
    ['0 0 20 * *', '2026-01-20T00:00:00.000Z'],
    ['0 0 * * 1', '2026-01-19T00:00:00.000Z'],
    ['0 0 ? * 1', '2026-01-19T00:00:00.000Z'],
    ['0 0 20 * ?', '2026-01-20T00:00:00.000Z'],
    ['0 0 */1 * 1', '2026-01-19T00:00:00.000Z'],
  ])('day-of-month/day-of-week rule: %s', (expr, want) => {
    expect(next(expr, AFTER)).toBe(want);
  });

  it.each([
    ['0 0 31 * *', '2026-02-01T00:00:00Z', '2026-03-31T00:00:00.000Z'],
    ['0 0 31 * *', '2026-04-01T00:00:00Z', '2026-05-31T00:00:00.000Z'],
    ['59 23 30 * *', '2026-02-01T00:00:00Z', '2026-03-30T23:59:00.000Z'],
    ['0 0 29 2 *', AFTER, '2028-02-29T00:00:00.000Z'],
    ['0 0 29 2 *', '2028-02-29T00:00:00Z', '2032-02-29T00:00:00.000Z'],
    ['0 0 1 1 *', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00.000Z'],
  ])('month ends and leap years: %s after %s', (expr, after, want) => {
    expect(next(expr, after)).toBe(want);
  });

  it.each(['0 0 30 2 *', '0 0 31 4 *', '0 0 31 jun,sep,nov *'])('impossible schedule %s', (expr) => {
    expect(next(expr, AFTER)).toBeUndefined();
  });

  it('returns undefined for an invalid date', () => {
    expect(nextRunAfter(parse('* * * * *'), new Date('nope'))).toBeUndefined();
  });
});

describe('nextRunAfter in time zones', () => {
  it.each([
    // Europe/Berlin springs forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist.
    ['30 2 * * *', '2026-03-28T12:00:00Z', '2026-03-30T00:30:00.000Z'],
    ['30 1 * * *', '2026-03-28T12:00:00Z', '2026-03-29T00:30:00.000Z'],
    ['30 3 * * *', '2026-03-28T12:00:00Z', '2026-03-29T01:30:00.000Z'],
    ['*/30 * * * *', '2026-03-29T00:45:00Z', '2026-03-29T01:00:00.000Z'],
    // ... and falls back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice but runs once.
    ['30 2 * * *', '2026-10-24T12:00:00Z', '2026-10-25T00:30:00.000Z'],
    ['30 2 * * *', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00.000Z'],
    ['30 2 * * *', '2026-10-25T01:00:00Z', '2026-10-26T01:30:00.000Z'],
    ['0 * * * *', '2026-10-25T00:00:00Z', '2026-10-25T02:00:00.000Z'],
    ['0 12 * * *', '2026-07-01T00:00:00Z', '2026-07-01T10:00:00.000Z'],
    ['0 12 * * *', '2026-12-01T00:00:00Z', '2026-12-01T11:00:00.000Z'],
  ])('Europe/Berlin %s after %s', (expr, after, want) => {
    expect(next(expr, after, 'Europe/Berlin')).toBe(want);
  });

  it.each([
    ['0 9 * * *', '2026-01-15T12:00:00Z', '2026-01-15T14:00:00.000Z'],
    ['0 9 * * *', '2026-07-01T00:00:00Z', '2026-07-01T13:00:00.000Z'],
    ['0 23 * * *', '2026-01-15T12:00:00Z', '2026-01-16T04:00:00.000Z'],
    // Day-of-week is the local one: Friday 20:00 EST is Saturday 01:00 UTC.
    ['0 20 * * FRI', '2026-01-15T12:00:00Z', '2026-01-17T01:00:00.000Z'],
    // Spring forward 2026-03-08 02:00 EST -> 03:00 EDT.
    ['30 2 * * *', '2026-03-07T12:00:00Z', '2026-03-09T06:30:00.000Z'],
    // Fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 runs once, in EDT.
    ['30 1 * * *', '2026-10-31T12:00:00Z', '2026-11-01T05:30:00.000Z'],
    ['30 1 * * *', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00.000Z'],
  ])('America/New_York %s after %s', (expr, after, want) => {
    expect(next(expr, after, 'America/New_York')).toBe(want);
  });

  it('finds an impossible schedule in a time zone quickly', () => {
    const started = performance.now();
    expect(next('0 0 30 2 *', AFTER, 'America/New_York')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('parseSchedule', () => {
  it.each([
    ['0 9 * * mon-fri', '0 9 * * 1-5'],
    ['0 9 * * 7', '0 9 * * 0'],
    ['0 9 * * 5-7', '0 9 * * 0,5,6'],
    ['0 0 1 JAN-mar *', '0 0 1 1-3 *'],
    ['0 0 ? * *', '0 0 * * *'],
    ['  0   0 *\t* *  ', '0 0 * * *'],
    ['0 0 * * 1/2', '0 0 * * 1,3,5'],
    ['@weekly', '0 0 * * 0'],
    ['@midnight', '0 0 * * *'],
  ])('%s is %s', (a, b) => {
    expect(parse(a)).toEqual(parse(b));
  });

  it.each([
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week), got 0'],
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['* * * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 6'],
    ['61 * * * *', 'minute: 61 is out of range 0-59'],
    ['* 24 * * *', 'hour: 24 is out of range 0-23'],
    ['* * 0 * *', 'day-of-month: 0 is out of range 1-31'],
    ['* * 32 * *', 'day-of-month: 32 is out of range 1-31'],
    ['* * * 13 *', 'month: 13 is out of range 1-12'],
    ['* * * 0 *', 'month: 0 is out of range 1-12'],
    ['* * * * 8', 'day-of-week: 8 is out of range 0-7'],
    ['0-60/5 * * * *', 'minute: 60 is out of range 0-59'],
    ['*/0 * * * *', 'minute: step in "*/0" must be a positive number'],
    ['5-1 * * * *', 'minute: range start 5 is after its end 1 in "5-1"'],
    ['* * * * FRI-MON', 'day-of-week: range start 5 is after its end 1 in "FRI-MON"'],
    ['? * * * *', 'minute: "?" is only allowed in the day fields'],
    ['* * * ? *', 'month: "?" is only allowed in the day fields'],
    ['jan * * * *', 'minute: invalid value "jan"'],
    ['* * * * january', 'day-of-week: invalid value "january"'],
    ['* * * FOO *', 'month: invalid value "FOO"'],
    ['1,,2 * * * *', 'minute: invalid value ""'],
    ['-1 * * * *', 'minute: invalid value "-1"'],
    ['1-2-3 * * * *', 'minute: invalid value "1-2-3"'],
    ['*/2/3 * * * *', 'minute: invalid value "*/2/3"'],
    ['@every 5m', 'unsupported macro "@every 5m"'],
    ['@reboot', 'unsupported macro "@reboot"'],
  ])('rejects %j', (expr, error) => {
    expect(parseSchedule(expr)).toEqual({ error });
  });
});

describe('isValidTimeZone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('%j is %s', (tz, valid) => {
    expect(isValidTimeZone(tz)).toBe(valid);
  });
});

describe('missedRuns', () => {
  const hourly = '0 * * * *';
  it.each([
    [hourly, '2026-01-15T10:00:00Z', '2026-01-15T10:30:00Z', { count: 0 }],
    [
      hourly,
      '2026-01-15T10:00:00Z',
      '2026-01-15T13:30:00Z',
      { latest: '2026-01-15T13:00:00.000Z', count: 3 },
    ],
    [
      hourly,
      '2026-01-15T10:00:00Z',
      '2026-01-15T13:00:00Z',
      { latest: '2026-01-15T13:00:00.000Z', count: 3 },
    ],
    [hourly, '2026-01-15T10:00:00Z', '2026-01-15T09:00:00Z', { count: 0 }],
    ['* * * * *', '2025-01-01T00:00:00Z', AFTER, { latest: '2026-01-15T10:07:00.000Z', count: 100 }],
    ['0 0 1 1 *', '2020-01-01T00:00:00Z', AFTER, { latest: '2026-01-01T00:00:00.000Z', count: 6 }],
  ])('%s from %s to %s', (expr, last, now, want) => {
    const got = missedRuns(parse(expr), new Date(last), new Date(now), 'UTC');
    expect({ ...got, latest: got.latest?.toISOString() }).toEqual({ latest: undefined, ...want });
  });

  it('counts in the time zone, skipping the DST gap', () => {
    const got = missedRuns(
      parse('30 2 * * *'),
      new Date('2026-03-27T01:30:00Z'),
      new Date('2026-03-31T00:00:00Z'),
      'Europe/Berlin',
    );
    expect(got).toEqual({ latest: new Date('2026-03-30T00:30:00Z'), count: 2 });
  });

  it('finds the latest of many missed runs without walking them all', () => {
    const started = performance.now();
    const got = missedRuns(
      parse('* 0 1 1 *'),
      new Date('2020-01-01T00:00:00Z'),
      new Date('2026-12-31T10:07:30Z'),
      'Europe/Berlin',
    );
    expect(got).toEqual({ latest: new Date('2025-12-31T23:59:00Z'), count: 100 });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
