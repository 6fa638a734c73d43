// `servirt zone import`: turns a BIND zone file into a DnsZone manifest. dnsZoneManifest is the
// pure part; zoneImportCommand adds arguments, the file and the output streams.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import type { DnsZone, DnsZoneRecord, DnsZoneSoa } from '../api/types.generated.js';
import { entryFromRecord, shortestName } from '../controllers/dnszone/records.js';
import { parseZoneFile, ZoneFileError, type ZoneFile, type ZoneFileRecord } from '../dns/zoneFile.js';

export const ZONE_IMPORT_USAGE =
  'usage: servirt zone import FILE --origin NAME [--name K8S_NAME] [--namespace NS] [--primary GUEST] [--secondary GUEST]...';

/** What the DnsZone CRD allows. */
const MAX_RECORDS = 1000;
const MAX_SOA_MINIMUM = 86400;
const ORIGIN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const SOA_NAME = /^[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?(\.[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?)*\.?$/;

export interface ZoneImportOptions {
  /** metadata.name; defaults to the origin with dashes for dots. */
  name?: string;
  namespace?: string;
  /** GuestDomain of the primary; defaults to ns1. */
  primary?: string;
  secondaries?: string[];
}

export interface ImportWarning {
  line?: number;
  message: string;
}

/** A zone file that a DnsZone cannot represent at all. */
export class ZoneImportError extends Error {
  override name = 'ZoneImportError';

  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * The DnsZone for a parsed zone file: the SOA's names and timers in spec.soa, $TTL (else the most
 * common TTL) as spec.defaultTTL, every other record an entry (without its TTL when that is the
 * default). Records a DnsZone cannot hold are left out with a warning; throws ZoneImportError
 * when the zone as a whole does not fit.
 */
export function dnsZoneManifest(
  zone: ZoneFile,
  options: ZoneImportOptions = {},
): { manifest: DnsZone; warnings: ImportWarning[] } {
  const origin = zone.origin.slice(0, -1);
  const warnings: ImportWarning[] = zone.warnings.map(({ line, message }) => ({ line, message }));
  for (const { line, name, type, reason } of zone.unsupported)
    warnings.push({ line, message: `dropped ${name} ${type}: ${reason}` });
  const soaRecord = zone.records.find((record) => record.type === 'SOA');
  if (!soaRecord) throw new ZoneImportError(`no SOA record at ${zone.origin}`);
  const defaultTTL = zone.ttlDirective ?? mostCommonTtl(zone.records);

  const records: DnsZoneRecord[] = [];
  for (const record of zone.records) {
    if (record.type === 'SOA') continue;
    try {
      const entry = entryFromRecord(record, zone.origin);
      const { ttl, ...withoutTtl } = entry;
      records.push(ttl === defaultTTL ? withoutTtl : entry);
    } catch (error) {
      warnings.push({
        line: record.line,
        message: `dropped ${record.name} ${record.type}: ${(error as Error).message}`,
      });
    }
  }
  if (records.length > MAX_RECORDS) {
    throw new ZoneImportError(
      `the zone has ${records.length} records; a DnsZone holds at most ${MAX_RECORDS}`,
    );
  }
  const { soa, soaWarnings } = soaSpec(soaRecord, zone.origin, defaultTTL);
  warnings.push(...soaWarnings);

  const manifest: DnsZone = {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'DnsZone',
    metadata: {
      name: options.name ?? origin.replaceAll('.', '-'),
      ...(options.namespace ? { namespace: options.namespace } : {}),
    },
    spec: {
      origin,
      primary: { guestRef: { name: options.primary ?? 'ns1' } },
      ...(options.secondaries?.length
        ? { secondaries: options.secondaries.map((name) => ({ guestRef: { name } })) }
        : {}),
      soa,
      defaultTTL,
      records,
    },
  };
  return { manifest, warnings };
}

function soaSpec(
  record: ZoneFileRecord,
  zone: string,
  defaultTTL: number,
): { soa: DnsZoneSoa; soaWarnings: ImportWarning[] } {
  const [mname = '', rname = '', , refresh, retry, expire, minimum] = record.data.split(' ');
  const [refreshSeconds, retrySeconds, expireSeconds] = [refresh, retry, expire].map(Number) as [
    number,
    number,
    number,
  ];
  const soaWarnings: ImportWarning[] = [];
  if (retrySeconds >= refreshSeconds)
    throw soaError(record, `its retry (${retry}) must be less than its refresh (${refresh})`);
  if (expireSeconds <= refreshSeconds)
    throw soaError(record, `its expire (${expire}) must be more than its refresh (${refresh})`);
  let minimumSeconds = Number(minimum);
  if (minimumSeconds > MAX_SOA_MINIMUM) {
    soaWarnings.push({
      line: record.line,
      message: `SOA minimum ${minimum} lowered to ${MAX_SOA_MINIMUM}, the most a DnsZone allows`,
    });
    minimumSeconds = MAX_SOA_MINIMUM;
  }
  const soa: DnsZoneSoa = {
    mname: soaName(mname, zone, record),
    rname: soaName(rname, zone, record),
    refresh: refreshSeconds,
    retry: retrySeconds,
    expire: expireSeconds,
    minimum: minimumSeconds,
    ...(record.ttl === defaultTTL ? {} : { ttl: record.ttl }),
  };
  return { soa, soaWarnings };
}

/** An SOA name as spec.soa takes it: relative below the origin, else absolute (no `@`). */
function soaName(name: string, zone: string, record: ZoneFileRecord): string {
  const shortest = shortestName(name, zone);
  const text = shortest === '@' ? zone : shortest;
  if (!SOA_NAME.test(text))
    throw soaError(record, `${name} cannot be written in spec.soa (lowercase letters, digits, - and _ only)`);
  return text;
}

function soaError(record: ZoneFileRecord, problem: string): ZoneImportError {
  return new ZoneImportError(`the SOA does not fit a DnsZone: ${problem}`, record.line);
}

/** The TTL most records have; the lowest of equally common ones. */
function mostCommonTtl(records: readonly ZoneFileRecord[]): number {
  const counts = new Map<number, number>();
  for (const { ttl } of records) counts.set(ttl, (counts.get(ttl) ?? 0) + 1);
  const [best] = [...counts].sort(([ttlA, countA], [ttlB, countB]) => countB - countA || ttlA - ttlB);
  return best?.[0] ?? 3600;
}

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs `servirt zone import` with the arguments after `import`; returns the exit code. */
export async function zoneImportCommand(args: string[], out: CommandOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        origin: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        primary: { type: 'string' },
        secondary: { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    out.stderr(`servirt zone import: ${(error as Error).message}\n${ZONE_IMPORT_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const origin = values.origin?.toLowerCase().replace(/\.$/, '');
  if (positionals.length !== 1 || !origin) {
    out.stderr(`servirt zone import: give one FILE and --origin\n${ZONE_IMPORT_USAGE}\n`);
    return 2;
  }
  if (!ORIGIN.test(origin)) {
    out.stderr(
      `servirt zone import: --origin ${values.origin} is not a domain name a DnsZone accepts, e.g. example.com\n`,
    );
    return 2;
  }
  const file = positionals[0] ?? '';
  const where = (line?: number) => (line === undefined ? file : `${file}:${line}`);
  try {
    const zone = parseZoneFile(await readFile(file), origin);
    const { name, namespace, primary, secondary: secondaries } = values;
    const { manifest, warnings } = dnsZoneManifest(zone, { name, namespace, primary, secondaries });
    for (const { line, message } of warnings) out.stderr(`${where(line)}: warning: ${message}\n`);
    out.stdout(`# Imported from ${path.basename(file)} by servirt zone import.\n`);
    out.stdout(stringify(manifest, { version: '1.1', lineWidth: 0 }));
    return 0;
  } catch (error) {
    if (error instanceof ZoneFileError) out.stderr(`${where(error.line)}: ${error.reason}\n`);
    else if (error instanceof ZoneImportError) out.stderr(`${where(error.line)}: ${error.message}\n`);
    else out.stderr(`servirt zone import: ${(error as Error).message}\n`);
    return 1;
  }
}
