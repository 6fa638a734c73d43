// Zone files servirt writes once, before BIND loads a zone; from then on BIND owns the file (its
// journal applies UPDATEs to it), so these are never written over a loaded zone.
import { createHash } from 'node:crypto';
import type { ResourceRecord } from '../../dns/record.js';
import { BindConfigError, zoneName } from './confSyntax.js';

/** The file a new zone starts from: its SOA first, then every record, absolute names, one per line. */
export function initialZoneFile(
  origin: string,
  soa: ResourceRecord,
  records: readonly ResourceRecord[],
): string {
  const zone = zoneName(origin);
  if (soa.type !== 'SOA' || soa.name !== zone)
    throw new BindConfigError(
      `the SOA of ${zone} must be an SOA record at ${zone}, not ${soa.type} at ${soa.name}`,
    );
  const outside = records.find((record) => record.name !== zone && !record.name.endsWith(`.${zone}`));
  if (outside) throw new BindConfigError(`record ${outside.name} ${outside.type} is outside zone ${zone}`);
  const lines = [soa, ...records].map((record) => {
    if (/[\n\r]/.test(record.data))
      throw new BindConfigError(`record ${record.name} ${record.type} spans lines`);
    return `${record.name} ${record.ttl} IN ${record.type} ${record.data}`;
  });
  return `; ${zone} as servirt created it; BIND keeps it up to date from here on.\n${lines.join('\n')}\n`;
}

/**
 * An empty catalog zone (RFC 9432, schema version 2). The SOA's timers only matter when a NOTIFY
 * is lost: the secondary then polls every refresh seconds. The long expiry keeps a secondary's
 * member zones when the primary is away for a while.
 */
export function catalogZoneFile(catalogZone: string, ttl = 0): string {
  const zone = zoneName(catalogZone);
  return [
    `; catalog zone ${zone} (RFC 9432), made by servirt; members are added and removed by UPDATE.`,
    `${zone} ${ttl} IN SOA invalid. invalid. 1 300 60 2419200 0`,
    `${zone} ${ttl} IN NS invalid.`,
    `version.${zone} ${ttl} IN TXT "2"`,
    '',
  ].join('\n');
}

/**
 * The owner of a member zone's PTR record in a catalog: `<id>.zones.<catalog>`, where id is the
 * SHA-1 of the member's name in (lowercase) wire format, as BIND's manual suggests: the same
 * member always gets the same id, so adding it twice changes nothing.
 */
export function catalogMemberName(catalogZone: string, memberOrigin: string): string {
  const id = createHash('sha1')
    .update(wireFormat(zoneName(memberOrigin)))
    .digest('hex');
  return `${id}.zones.${zoneName(catalogZone)}`;
}

function wireFormat(absoluteName: string): Buffer {
  const labels = absoluteName.slice(0, -1).split('.');
  return Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')])),
    Buffer.from([0]),
  ]);
}
