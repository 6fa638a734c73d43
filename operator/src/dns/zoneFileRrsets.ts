// The last step of loading a zone file, as BIND's database does it: an RRset has one TTL (the lowest
// of its records') and holds equal records once.
import type { ZoneFileRecord, ZoneFileWarning } from './zoneFile.js';

export function settleRrsets(
  records: readonly ZoneFileRecord[],
  warnings: ZoneFileWarning[],
): ZoneFileRecord[] {
  const lowest = new Map<string, ZoneFileRecord>();
  for (const record of records) {
    const key = `${record.name} ${record.type}`;
    const seen = lowest.get(key);
    if (!seen || record.ttl < seen.ttl) lowest.set(key, record);
  }
  const settled: ZoneFileRecord[] = [];
  const firstLines = new Map<string, number>();
  const warned = new Set<string>();
  for (const record of records) {
    const rrset = `${record.name} ${record.type}`;
    const { ttl, line } = lowest.get(rrset) ?? record;
    if (record.ttl !== ttl && !warned.has(rrset)) {
      warned.add(rrset);
      warnings.push({
        line: record.line,
        message: `the ${rrset} RRset has TTLs ${record.ttl} and ${ttl} (line ${line}); BIND gives all its records the lowest, ${ttl}`,
      });
    }
    const key = `${rrset} ${record.data}`;
    const first = firstLines.get(key);
    if (first !== undefined) {
      warnings.push({
        line: record.line,
        message: `the same ${record.type} record as on line ${first}; kept once`,
      });
      continue;
    }
    firstLines.set(key, record.line);
    settled.push({ ...record, ttl });
  }
  return settled;
}
