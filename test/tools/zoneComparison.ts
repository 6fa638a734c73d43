// Zones compared as a migration needs them: the records BIND loads (a `named-checkzone -D` dump),
// each reduced to one canonical line (dns/record.ts), so that only presentation evens out: the case
// BIND kept owner names in, hex split by spaces, ::ffff:192.0.2.1 for an IPv4-mapped address.
// The SOA serial is the one field left out: the operator numbers its own versions. Pure.
import { recordKey } from '../../operator/src/dns/record.js';
import { parseZoneFile } from '../../operator/src/dns/zoneFile.js';

export const SERIAL_PLACEHOLDER = '<serial>';

/** The records of a named-checkzone dump (one record a line), one canonical line each. */
export function canonicalRecords(dump: string, origin: string): Set<string> {
  const zone = parseZoneFile(dump, origin);
  const keys = new Set<string>();
  for (const record of zone.records) {
    const data = record.type === 'SOA' ? withoutSerial(record.data) : record.data;
    keys.add(recordKey({ ...record, data }));
  }
  // Types the parser does not read stay as BIND prints them; both sides are BIND's output.
  const lines = dump.split('\n');
  for (const { line } of zone.unsupported) keys.add(dumpLineKey(lines[line - 1] ?? ''));
  return keys;
}

function withoutSerial(soaData: string): string {
  const fields = soaData.split(' ');
  fields[2] = SERIAL_PLACEHOLDER;
  return fields.join(' ');
}

/** `owner ttl class type data` as `recordKey` writes it: owner lowercase, no class. */
function dumpLineKey(line: string): string {
  const match = /^(\S+)\s+([0-9]+)\s+\S+\s+(\S+)\s+(.*)$/.exec(line.trim());
  if (!match) throw new Error(`not a record line of a named-checkzone dump: ${line}`);
  const [, owner = '', ttl, type, data] = match;
  return `${owner.toLowerCase()} ${ttl} ${type} ${data}`;
}

/** Why the importer left records out, by `name type`, from its `dropped NAME TYPE: reason` warnings. */
export function droppedOnImport(warnings: readonly { message: string }[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const { message } of warnings) {
    const match = /^dropped (\S+) (\S+): (.*)$/.exec(message);
    if (match) reasons.set(`${match[1]} ${match[2]}`, match[3] ?? '');
  }
  return reasons;
}

export interface ServedZone {
  server: string;
  records: Set<string>;
}

export interface Comparison {
  match: boolean;
  /** Records in the original, its SOA included. */
  records: number;
  /** `- record (servers…)`: in the original only; `+ record (servers…)`: served only. */
  differences: string[];
}

/** The original against what every server serves; a record missing on several servers is one line. */
export function compareZones(
  original: Set<string>,
  served: readonly ServedZone[],
  dropped: ReadonlyMap<string, string> = new Map(),
): Comparison {
  const missing = new Map<string, string[]>();
  const extra = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, key: string, server: string) =>
    map.set(key, [...(map.get(key) ?? []), server]);
  for (const { server, records } of served) {
    for (const key of original) if (!records.has(key)) note(missing, key, server);
    for (const key of records) if (!original.has(key)) note(extra, key, server);
  }
  const line = (sign: '-' | '+', key: string, servers: string[]) => {
    const [name, , type] = key.split(' ');
    const reason = sign === '-' ? dropped.get(`${name} ${type}`) : undefined;
    return {
      key,
      sign,
      text: `${sign} ${key} (${servers.join(', ')}${reason ? `; dropped on import: ${reason}` : ''})`,
    };
  };
  const differences = [
    ...[...missing].map(([key, servers]) => line('-', key, servers)),
    ...[...extra].map(([key, servers]) => line('+', key, servers)),
  ]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.sign < b.sign ? -1 : 1))
    .map((difference) => difference.text);
  return { match: differences.length === 0, records: original.size, differences };
}
