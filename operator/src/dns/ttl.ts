// TTLs as BIND reads them: seconds (`3600`) or numbers with units w, d, h, m, s (`1h30m`, `1W`),
// where every number has its unit.

const UNIT_SECONDS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** Largest TTL (RFC 2181 §8); BIND rejects larger ones. */
export const MAX_TTL = 2147483647;

export function parseTtl(text: string, max = MAX_TTL): number {
  let seconds: number;
  if (/^[0-9]+$/.test(text)) seconds = Number(text);
  else if (/^([0-9]+[wdhms])+$/i.test(text)) {
    seconds = 0;
    for (const [, count = '', unit = ''] of text.toLowerCase().matchAll(/([0-9]+)([wdhms])/g)) {
      seconds += Number(count) * (UNIT_SECONDS[unit] ?? 0);
    }
  } else throw new Error(`bad TTL ${text}: seconds, or numbers with units w d h m s such as 1h30m`);
  if (seconds > max) throw new Error(`TTL ${text} is more than ${max} seconds`);
  return seconds;
}
