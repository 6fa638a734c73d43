// Reads a BIND master file (RFC 1035 §5) into canonical records (record.ts), the way BIND loads it:
// $ORIGIN, $TTL, `@`, relative names, a blank owner meaning the previous one, TTL and class in
// either order, and BIND's TTL rules (a missing TTL is $TTL's, else the previous record's, else
// for the SOA its minimum). $INCLUDE and $GENERATE are refused: servirt reads one file.
//
// Records a DnsZone cannot hold are not errors: other types (HINFO, DNSKEY, …) and names outside
// the zone (which BIND ignores too) come back in `unsupported`, with their lines, for the caller
// to report. Malformed input throws a ZoneFileError naming the line.
import { absoluteName, isInside } from './domainName.js';
import { MANAGED_TYPES, type ResourceRecord } from './record.js';
import { parseTtl } from './ttl.js';
import { canonicalData, type ZoneFileType } from './zoneFileData.js';
import { tokenizeZoneFile, ZoneFileError, type ZoneEntry, type ZoneToken } from './zoneFileTokens.js';
import { typeName, typeNumber } from './constants.js';
import { settleRrsets } from './zoneFileRrsets.js';

export { ZoneFileError };

export interface ZoneFileRecord extends ResourceRecord {
  /** Line of the file where the record starts. */
  line: number;
}

export interface UnsupportedRecord {
  line: number;
  name: string;
  type: string;
  reason: string;
}

export interface ZoneFileWarning {
  line: number;
  message: string;
}

export interface ZoneFile {
  /** The zone's origin, canonical (`example.com.`). */
  origin: string;
  /** In file order, the SOA included; equal records once; every RRset with one TTL. */
  records: ZoneFileRecord[];
  unsupported: UnsupportedRecord[];
  /** What BIND would warn about and change: differing TTLs in an RRset, duplicates, a missing TTL. */
  warnings: ZoneFileWarning[];
  /** The value of the first $TTL directive. */
  ttlDirective?: number;
}

const CLASS = /^(IN|CH|HS|CS|NONE|ANY|CLASS[0-9]+)$/i;
const INTERNET = /^(IN|CLASS0*1)$/i;
const META_TYPES = new Set(['OPT', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'MAILB', 'MAILA', 'ANY']);
const EXPAND_HINT = 'expand it first with `named-compilezone -s full -o - ORIGIN FILE`';

/**
 * Parses zone file text (a string, or bytes read from the file: bytes outside ASCII are kept as
 * they are) for the zone at `origin` (`example.com` or `example.com.`).
 */
export function parseZoneFile(source: string | Uint8Array, origin: string): ZoneFile {
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
  const parser = new ZoneFileParser(absoluteName(origin, '.'));
  for (const entry of tokenizeZoneFile(bytes.toString('latin1'))) {
    try {
      parser.read(entry);
    } catch (error) {
      if (error instanceof ZoneFileError) throw error;
      throw new ZoneFileError(entry.line, error instanceof Error ? error.message : String(error));
    }
  }
  return parser.result();
}

class ZoneFileParser {
  private readonly zone: ZoneFile;
  private origin: string;
  private owner: string | undefined;
  private originChanged = false;
  private defaultTtl: number | undefined;
  private lastTtl: number | undefined;
  private soaLine: number | undefined;
  // TTLs per type among the consecutive records of one owner: BIND gives later ones the first's.
  private run = { owner: '', ttls: new Map<string, number>() };

  constructor(origin: string) {
    this.origin = origin;
    this.zone = { origin, records: [], unsupported: [], warnings: [] };
  }

  read(entry: ZoneEntry): void {
    const [first] = entry.tokens;
    if (!entry.ownerBlank && first && !first.quoted && first.text.startsWith('$'))
      this.directive(first.text, entry);
    else this.record(entry);
  }

  result(): ZoneFile {
    if (this.soaLine === undefined)
      throw new ZoneFileError(undefined, `no SOA record at ${this.zone.origin}`);
    return { ...this.zone, records: settleRrsets(this.zone.records, this.zone.warnings) };
  }

  private directive(name: string, entry: ZoneEntry): void {
    const args = entry.tokens.slice(1);
    const single = (): string => {
      const [arg] = args;
      if (!arg || args.length > 1) throw new Error(`${name} takes one argument, not ${args.length}`);
      return arg.text;
    };
    switch (name.toUpperCase()) {
      case '$ORIGIN':
        this.origin = absoluteName(single(), this.origin);
        this.originChanged = true;
        return;
      case '$TTL':
        this.defaultTtl = parseTtl(single());
        this.zone.ttlDirective ??= this.defaultTtl;
        return;
      case '$INCLUDE':
        throw new Error(`$INCLUDE is not supported: servirt reads a single file; ${EXPAND_HINT}`);
      case '$GENERATE':
        throw new Error(`$GENERATE is not supported; ${EXPAND_HINT}`);
      default:
        throw new Error(`unknown directive ${name}`);
    }
  }

  private record(entry: ZoneEntry): void {
    const [ownerToken, ...afterOwner] = entry.tokens;
    let tokens = entry.tokens;
    if (!entry.ownerBlank && ownerToken) {
      this.owner = absoluteName(ownerToken.text, this.origin);
      tokens = afterOwner;
    }
    const owner = this.owner;
    if (owner === undefined)
      throw new Error('the first record has no owner name (its line starts with a blank)');
    if (entry.ownerBlank && this.originChanged) {
      this.zone.warnings.push({
        line: entry.line,
        message: `blank owner right after $ORIGIN: the owner is still ${owner}`,
      });
    }
    this.originChanged = false;
    if (this.run.owner !== owner) this.run = { owner, ttls: new Map() };
    const { ttl, rest } = ttlAndClass(tokens);
    if (ttl !== undefined) this.lastTtl = ttl;
    const typeToken = rest[0];
    if (!typeToken) throw new Error('record without a type');
    const type = recordTypeName(typeToken.text);
    const impliedTtl = ttl ?? this.defaultTtl ?? this.lastTtl;
    if (impliedTtl === undefined && type !== 'SOA') {
      throw new Error('no TTL: give the record one, or put a $TTL directive before it');
    }
    const line = entry.line;
    if (!isInside(owner, this.zone.origin)) {
      this.unsupported(line, owner, type, `outside the zone ${this.zone.origin}`);
    } else if (!isZoneFileType(type)) {
      this.unsupported(line, owner, type, `a DnsZone cannot hold ${type} records`);
    } else {
      const data = canonicalData(type, rest.slice(1), this.origin);
      if (type === 'SOA') this.checkSoa(line, owner);
      this.add({ line, name: owner, type, ttl: impliedTtl ?? this.soaMinimum(line, data), data });
    }
  }

  private checkSoa(line: number, owner: string): void {
    if (owner !== this.zone.origin)
      throw new Error(`SOA record at ${owner}; the zone's SOA is at ${this.zone.origin}`);
    if (this.soaLine !== undefined)
      throw new Error(`a second SOA record; the first is on line ${this.soaLine}`);
    this.soaLine = line;
  }

  // Without $TTL and any earlier TTL, BIND takes the SOA's minimum and uses it as $TTL from here on.
  private soaMinimum(line: number, data: string): number {
    const minimum = Number(data.split(' ').at(-1));
    this.zone.warnings.push({
      line,
      message: `no TTL given; using the SOA minimum ${minimum}, as BIND does`,
    });
    this.defaultTtl = minimum;
    this.lastTtl = minimum;
    return minimum;
  }

  private add(record: ZoneFileRecord & { type: ZoneFileType }): void {
    const ttls = this.run.ttls;
    const prior = ttls.get(record.type);
    if (prior !== undefined && prior !== record.ttl) {
      this.zone.warnings.push({
        line: record.line,
        message: `TTL ${record.ttl} of ${record.name} ${record.type} set to the RRset's prior TTL ${prior}, as BIND does`,
      });
      record.ttl = prior;
    }
    ttls.set(record.type, record.ttl);
    this.zone.records.push(record);
  }

  private unsupported(line: number, name: string, type: string, reason: string): void {
    this.zone.unsupported.push({ line, name, type, reason });
  }
}

/** The mnemonic of a type token (`a`, `TYPE1` → `A`; `TYPE65534` stays); throws when it names no type. */
function recordTypeName(text: string): string {
  const upper = text.toUpperCase();
  const generic = /^TYPE([0-9]{1,5})$/.exec(upper);
  const name = generic && Number(generic[1]) <= 0xffff ? typeName(Number(generic[1])) : upper;
  if (META_TYPES.has(name) || !isTypeName(name)) throw new Error(`unknown record type ${text}`);
  return name;
}

function isTypeName(name: string): boolean {
  try {
    typeNumber(name);
    return true;
  } catch {
    return false;
  }
}

function isZoneFileType(type: string): type is ZoneFileType {
  return type === 'SOA' || (MANAGED_TYPES as readonly string[]).includes(type);
}

/** The optional TTL and class in front of the type, in either order. */
function ttlAndClass(tokens: ZoneToken[]): { ttl: number | undefined; rest: ZoneToken[] } {
  let ttl: number | undefined;
  let classSeen = false;
  let rest = tokens;
  for (const token of tokens.slice(0, 2)) {
    if (ttl === undefined && /^[0-9]/.test(token.text)) ttl = parseTtl(token.text);
    else if (!classSeen && CLASS.test(token.text)) {
      if (!INTERNET.test(token.text))
        throw new Error(`class ${token.text} is not supported; zones are class IN`);
      classSeen = true;
    } else break;
    rest = rest.slice(1);
  }
  return { ttl, rest };
}
