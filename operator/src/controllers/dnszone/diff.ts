import type { Deletion, Prerequisite, UpdateRequest } from '../../dns/client.js';
import type { ResourceRecord } from '../../dns/record.js';
import { isManagedType, soaRecord, type DesiredZone } from './desired.js';

export interface RRsetChange {
  name: string;
  type: string;
  actual: ResourceRecord[];
  desired: ResourceRecord[];
}

/**
 * The RRsets whose records or TTL differ between the primary's content (AXFR) and the desired
 * zone, over managed types only: SOA and DNSSEC records belong to BIND. Pure.
 */
export function changedRRsets(
  actual: readonly ResourceRecord[],
  desired: readonly ResourceRecord[],
): RRsetChange[] {
  const sets = new Map<string, RRsetChange>();
  const at = (r: ResourceRecord) => {
    const key = `${r.name} ${r.type}`;
    let set = sets.get(key);
    if (!set) sets.set(key, (set = { name: r.name, type: r.type, actual: [], desired: [] }));
    return set;
  };
  for (const record of actual) if (isManagedType(record.type)) at(record).actual.push(record);
  for (const record of desired) at(record).desired.push(record);
  return [...sets.values()].filter((set) => !sameRecords(set.actual, set.desired));
}

function sameRecords(a: ResourceRecord[], b: ResourceRecord[]): boolean {
  if (a.length !== b.length) return false;
  const key = (r: ResourceRecord) => `${r.ttl} ${r.data}`;
  const keys = new Set(a.map(key));
  return b.every((r) => keys.has(key(r)));
}

/** The SOA record to send when its timers, names or TTL differ from the desired ones (serial + 1), else undefined. */
export function soaChange(
  actualSoa: ResourceRecord | undefined,
  zone: DesiredZone,
): ResourceRecord | undefined {
  if (!actualSoa) return undefined;
  const fields = actualSoa.data.split(' ');
  const serial = Number(fields[2]);
  const wanted = soaRecord(zone.soa, zone.origin, serial);
  if (wanted.data === actualSoa.data && wanted.ttl === actualSoa.ttl) return undefined;
  // BIND ignores an SOA update whose serial does not grow (RFC 2136 3.4.2.2).
  return soaRecord(zone.soa, zone.origin, (serial + 1) % 2 ** 32);
}

/**
 * One UPDATE for a set of RRset changes: each changed RRset must still be exactly as observed
 * (or absent), so a change made meanwhile by someone else fails the whole update. Unchanged
 * records of an RRset stay (no needless churn in IXFR); an RRset whose TTL changes is replaced.
 * Apex NS records are never deleted as an RRset: BIND ignores deleting the last one, so a
 * wholly replaced apex NS set ends up right on the next reconcile, when the new ones are there.
 */
export function updateFor(
  origin: string,
  changes: readonly RRsetChange[],
  soa?: { actual: ResourceRecord; wanted: ResourceRecord },
): UpdateRequest {
  const prerequisites: Prerequisite[] = [];
  const deletions: Deletion[] = [];
  const additions: ResourceRecord[] = [];
  for (const change of changes) {
    prerequisites.push(
      change.actual.length === 0
        ? { kind: 'rrsetAbsent', name: change.name, type: change.type }
        : { kind: 'rrsetExactly', name: change.name, type: change.type, records: change.actual },
    );
    const ttlChanged =
      change.actual.length > 0 &&
      change.desired.length > 0 &&
      change.actual[0]?.ttl !== change.desired[0]?.ttl;
    if (change.desired.length === 0 || (ttlChanged && !(change.type === 'NS' && change.name === origin))) {
      if (change.actual.length > 0) deletions.push({ kind: 'rrset', name: change.name, type: change.type });
      additions.push(...change.desired);
      continue;
    }
    const desiredData = new Set(change.desired.map((r) => r.data));
    const actualData = new Set(change.actual.map((r) => r.data));
    for (const record of change.actual)
      if (!desiredData.has(record.data)) deletions.push({ kind: 'record', record });
    additions.push(...(ttlChanged ? change.desired : change.desired.filter((r) => !actualData.has(r.data))));
  }
  if (soa) {
    prerequisites.push({ kind: 'rrsetExactly', name: origin, type: 'SOA', records: [soa.actual] });
    additions.push(soa.wanted);
  }
  return { zone: origin, prerequisites, deletions, additions };
}

/**
 * Change sets too large for one DNS message (65535 bytes over TCP) go out as several UPDATEs,
 * split between RRsets; each is atomic and carries its own prerequisites. Pure.
 */
export function splitChanges(
  changes: readonly RRsetChange[],
  sizeOf: (change: RRsetChange) => number,
  limit = 60_000,
): RRsetChange[][] {
  // Each change measured alone (header and question included): the sum overestimates a batch.
  const batches: RRsetChange[][] = [];
  let batch: RRsetChange[] = [];
  let size = 0;
  for (const change of changes) {
    const changeSize = sizeOf(change);
    if (batch.length > 0 && size + changeSize > limit) {
      batches.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(change);
    size += changeSize;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
