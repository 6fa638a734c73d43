import { isIPv6 } from 'node:net';
import type { DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { MANAGED_TYPES, sortRecords, type ResourceRecord } from '../../dns/record.js';
import { recordFromEntry } from './records.js';
import { publishedAddresses } from '../../guest/access/endpoints.js';
import { webSiteRecords } from './webSiteRecords.js';

export interface DesiredSoa {
  mname: string;
  rname: string;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  ttl: number;
}

export interface DesiredZone {
  /** Absolute, with the trailing dot. */
  origin: string;
  soa: DesiredSoa;
  /** Every record of a managed type the zone should hold (no SOA), sorted. */
  records: ResourceRecord[];
}

export type ZonePlan =
  { kind: 'valid'; zone: DesiredZone } | { kind: 'invalid'; reason: string; message: string };

export const absoluteOrigin = (zone: DnsZone) => `${zone.spec.origin}.`;

/** Primary first, then secondaries in spec order. */
export function zoneServerNames(zone: DnsZone): string[] {
  return [zone.spec.primary.guestRef.name, ...(zone.spec.secondaries ?? []).map((s) => s.guestRef.name)];
}

/**
 * The zone the spec asks for: its records, the apex NS records and glue derived from its servers
 * (unless the spec has NS records at the apex), and records derived from GuestDomains and
 * WebSites. Derived
 * records only fill RRsets the spec does not define. Problems BIND would reject or silently change
 * come back as a reason and message, so that nothing is sent. Pure.
 */
export function desiredZone(
  zone: DnsZone,
  guestNamed: (name: string) => GuestDomain | undefined,
  zonesInNamespace: readonly DnsZone[],
  webSites: readonly WebSite[] = [],
): ZonePlan {
  const origin = absoluteOrigin(zone);
  const defaultTTL = zone.spec.defaultTTL ?? 3600;
  const conflict = originConflict(zone, zonesInNamespace);
  if (conflict) return conflict;

  const fromSpec = (zone.spec.records ?? []).map((entry) =>
    recordFromEntry(entry, zone.spec.origin, defaultTTL),
  );
  const duplicate = firstDuplicate(fromSpec);
  if (duplicate) {
    return invalid(
      'DuplicateRecord',
      `spec.records has ${duplicate.name} ${duplicate.type} ${duplicate.data} more than once`,
    );
  }

  const derived: ResourceRecord[] = [];
  const specHasApexNs = fromSpec.some((r) => r.type === 'NS' && r.name === origin);
  if (!specHasApexNs) {
    for (const name of zoneServerNames(zone)) {
      const guest = guestNamed(name);
      if (!guest) continue;
      const nsName = `${name}.${origin}`;
      derived.push({ name: origin, type: 'NS', ttl: defaultTTL, data: nsName });
      derived.push(...addressRecords(nsName, publishedAddresses(guest), defaultTTL));
    }
  }
  for (const item of zone.spec.recordsFrom?.guestDomains ?? []) {
    const guest = guestNamed(item.name);
    if (!guest) continue;
    const owner = item.recordName === undefined || item.recordName === '' ? item.name : item.recordName;
    const name = owner === '@' ? origin : `${owner}.${origin}`;
    derived.push(...addressRecords(name, publishedAddresses(guest), defaultTTL));
  }

  derived.push(...webSiteRecords(zone, webSites, guestNamed, defaultTTL));

  const specRrsets = new Set(fromSpec.map(rrsetKey));
  const records = uniqueRecords([...fromSpec, ...derived.filter((r) => !specRrsets.has(rrsetKey(r)))]);
  const problem = rrsetProblem(records, origin);
  if (problem) return problem;

  return {
    kind: 'valid',
    zone: { origin, soa: desiredSoa(zone, origin, defaultTTL), records: sortRecords(records) },
  };
}

function desiredSoa(zone: DnsZone, origin: string, defaultTTL: number): DesiredSoa {
  const soa = zone.spec.soa;
  const absolute = (name: string) =>
    name.endsWith('.') ? name : name === '@' ? origin : `${name}.${origin}`;
  return {
    mname: absolute(soa?.mname ?? zone.spec.primary.guestRef.name),
    rname: absolute(soa?.rname ?? 'hostmaster'),
    refresh: soa?.refresh ?? 3600,
    retry: soa?.retry ?? 900,
    expire: soa?.expire ?? 1209600,
    minimum: soa?.minimum ?? 300,
    ttl: soa?.ttl ?? defaultTTL,
  };
}

/** The SOA record text for a serial. */
export function soaRecord(soa: DesiredSoa, origin: string, serial: number): ResourceRecord {
  return {
    name: origin,
    type: 'SOA',
    ttl: soa.ttl,
    data: `${soa.mname} ${soa.rname} ${serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`,
  };
}

function addressRecords(name: string, addresses: string[], ttl: number): ResourceRecord[] {
  return addresses.map((address) => ({ name, type: isIPv6(address) ? 'AAAA' : 'A', ttl, data: address }));
}

function originConflict(zone: DnsZone, zones: readonly DnsZone[]): ZonePlan | undefined {
  const mine = new Set(zoneServerNames(zone));
  const earlier = zones.find(
    (other) =>
      other.metadata.uid !== zone.metadata.uid &&
      !other.metadata.deletionTimestamp &&
      other.spec.origin === zone.spec.origin &&
      zoneServerNames(other).some((server) => mine.has(server)) &&
      createdBefore(other, zone),
  );
  if (!earlier) return undefined;
  return invalid(
    'OriginConflict',
    `DnsZone ${earlier.metadata.name} already serves ${zone.spec.origin} on a server of this zone`,
  );
}

function createdBefore(a: DnsZone, b: DnsZone): boolean {
  const at = isoTime(a.metadata.creationTimestamp);
  const bt = isoTime(b.metadata.creationTimestamp);
  return at < bt || (at === bt && (a.metadata.name ?? '') < (b.metadata.name ?? ''));
}

/** Timestamps are typed as Date but arrive from the API server as RFC 3339 strings. */
export function isoTime(value: Date | string | undefined): string {
  return value instanceof Date ? value.toISOString() : (value ?? '');
}

const rrsetKey = (r: ResourceRecord) => `${r.name} ${r.type}`;
const identity = (r: ResourceRecord) => `${r.name} ${r.type} ${r.data}`;

function firstDuplicate(records: ResourceRecord[]): ResourceRecord | undefined {
  const seen = new Set<string>();
  for (const record of records) {
    const key = identity(record);
    if (seen.has(key)) return record;
    seen.add(key);
  }
  return undefined;
}

function uniqueRecords(records: ResourceRecord[]): ResourceRecord[] {
  const byIdentity = new Map<string, ResourceRecord>();
  for (const record of records)
    if (!byIdentity.has(identity(record))) byIdentity.set(identity(record), record);
  return [...byIdentity.values()];
}

/** An RRset has one TTL; a CNAME stands alone (RFC 2181 5.2, RFC 1034 3.6.2). */
function rrsetProblem(records: ResourceRecord[], origin: string): ZonePlan | undefined {
  const ttls = new Map<string, Set<number>>();
  const typesAt = new Map<string, Set<string>>();
  for (const record of records) {
    const key = rrsetKey(record);
    ttls.set(key, (ttls.get(key) ?? new Set()).add(record.ttl));
    typesAt.set(record.name, (typesAt.get(record.name) ?? new Set()).add(record.type));
  }
  for (const [key, set] of ttls) {
    if (set.size > 1) {
      return invalid(
        'RRsetTTLMismatch',
        `the records ${key} have TTLs ${[...set].join(' and ')}; records with one name and type form an RRset with one TTL`,
      );
    }
  }
  for (const [name, types] of typesAt) {
    if (!types.has('CNAME')) continue;
    if (name === origin) return invalid('CNAMEAtApex', 'the zone apex cannot have a CNAME record');
    if (records.filter((r) => r.name === name && r.type === 'CNAME').length > 1)
      return invalid('CNAMEConflict', `${name} has more than one CNAME record`);
    if (types.size > 1) {
      return invalid(
        'CNAMEConflict',
        `${name} has a CNAME and ${[...types].filter((t) => t !== 'CNAME').join(', ')} records (derived records included); a name with a CNAME has nothing else`,
      );
    }
  }
  return undefined;
}

function invalid(reason: string, message: string): ZonePlan {
  return { kind: 'invalid', reason, message };
}

export const isManagedType = (type: string) => (MANAGED_TYPES as readonly string[]).includes(type);
