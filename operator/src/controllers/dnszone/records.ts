// DnsZone spec.records entries to canonical records (dns/record.ts) and back. Pure.
//
// TXT text: `value` and `strings` are Unicode strings and the record holds their UTF-8 bytes, so
// bytes outside printable ASCII in a record (\DDD in a zone file) come from non-ASCII characters.
// A record whose bytes are not valid UTF-8 cannot be written as an entry.
import type { DnsZoneRecord } from '../../api/types.generated.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../dns/address.js';
import { MAX_CHARACTER_STRING, splitCharacterStrings } from '../../dns/characterString.js';
import { absoluteName, labelsBelow } from '../../dns/domainName.js';
import { quoteString, tokenize, TokenCursor } from '../../dns/presentation.js';
import { MANAGED_TYPES, type ManagedType, type ResourceRecord } from '../../dns/record.js';

// Limits of the DnsZone CRD that entryFromRecord respects, so that what it returns is accepted.
const LABEL = '[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?';
const OWNER = new RegExp(`^(@|\\*|(\\*\\.)?${LABEL}(\\.${LABEL})*\\.?)$`);
const TARGET = new RegExp(`^(@|\\.|${LABEL}(\\.${LABEL})*\\.?)$`);
const MAX_NAME = 253;
const MAX_STRINGS = 64;
const MAX_VALUE_CHARACTERS = 1024;
const CAA_TAGS = ['issue', 'issuewild', 'iodef', 'issuemail'] as const;
const MAX_HEX = { fingerprint: 256, digest: 256, certificateData: 2048 };

/**
 * The canonical record of a spec entry in the zone at `origin` (`example.com`): names relative to
 * the origin become absolute, `@` is the origin, TXT text is cut into 255-byte strings. Throws on
 * data the CRD would have rejected.
 */
export function recordFromEntry(entry: DnsZoneRecord, origin: string, defaultTTL: number): ResourceRecord {
  const zone = absoluteName(origin, '.');
  const name = (text: string) => absoluteName(text, zone);
  const need = <T>(value: T | undefined, field: string): T => {
    if (value === undefined) throw new Error(`the ${entry.type} record ${entry.name} has no ${field}`);
    return value;
  };
  const address = (parse: (text: string) => Uint8Array | undefined): Uint8Array => {
    const bytes = parse(need(entry.value, 'value'));
    if (!bytes) throw new Error(`the ${entry.type} record ${entry.name} has a bad address ${entry.value}`);
    return bytes;
  };
  const data = (): string => {
    switch (entry.type) {
      case 'A':
        return formatIPv4(address(parseIPv4));
      case 'AAAA':
        return formatIPv6(address(parseIPv6));
      case 'CNAME':
      case 'NS':
      case 'PTR':
        return name(need(entry.value, 'value'));
      case 'TXT':
        return txtStrings(entry).map(quoteString).join(' ');
      case 'MX': {
        const mx = need(entry.mx, 'mx');
        return `${mx.preference} ${name(mx.exchange)}`;
      }
      case 'SRV': {
        const { priority, weight, port, target } = need(entry.srv, 'srv');
        return `${priority} ${weight} ${port} ${name(target)}`;
      }
      case 'CAA': {
        const caa = need(entry.caa, 'caa');
        return `${caa.flags ?? 0} ${caa.tag} ${quoteString(utf8(caa.value))}`;
      }
      case 'NAPTR': {
        const naptr = need(entry.naptr, 'naptr');
        const strings = [naptr.flags, naptr.service, naptr.regexp ?? ''].map((text) =>
          quoteString(utf8(text)),
        );
        return `${naptr.order} ${naptr.preference} ${strings.join(' ')} ${name(naptr.replacement ?? '.')}`;
      }
      case 'SSHFP': {
        const sshfp = need(entry.sshfp, 'sshfp');
        return `${sshfp.algorithm} ${sshfp.fingerprintType} ${hex(sshfp.fingerprint)}`;
      }
      case 'TLSA': {
        const tlsa = need(entry.tlsa, 'tlsa');
        return `${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType} ${hex(tlsa.certificateData)}`;
      }
      case 'DS': {
        const ds = need(entry.ds, 'ds');
        return `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${hex(ds.digest)}`;
      }
    }
  };
  return { name: name(entry.name), type: entry.type, ttl: entry.ttl ?? defaultTTL, data: data() };
}

// `value` is cut every 255 bytes, inside a multi-byte character if need be: strings are bytes.
function txtStrings(entry: DnsZoneRecord): Uint8Array[] {
  if (entry.strings === undefined) return splitCharacterStrings(utf8(entry.value ?? ''));
  return entry.strings.map((text) => {
    const bytes = utf8(text);
    if (bytes.length > MAX_CHARACTER_STRING)
      throw new Error(`a TXT string of ${entry.name} has more than 255 bytes`);
    return bytes;
  });
}

function hex(text: string): string {
  if (!/^([0-9a-fA-F]{2})+$/.test(text))
    throw new Error(`bad hexadecimal ${text}: an even number of hex digits`);
  return text.toUpperCase();
}

/**
 * The spec entry of a canonical record in the zone at `origin`, in its shortest faithful form:
 * names relative to the origin (`@` at the apex), defaults left out, the TTL always given. Throws
 * when a DnsZone cannot hold the record (another type, a name or text the CRD does not accept).
 */
export function entryFromRecord(record: ResourceRecord, origin: string): DnsZoneRecord {
  const zone = absoluteName(origin, '.');
  if (!(MANAGED_TYPES as readonly string[]).includes(record.type)) {
    throw new Error(`a DnsZone cannot hold ${record.type} records`);
  }
  const type = record.type as ManagedType;
  const name = entryName(record.name, zone, type);
  const cursor = new TokenCursor(tokenize(record.data), type);
  const entry: DnsZoneRecord = { name, type, ttl: record.ttl, ...entryData(type, cursor, zone) };
  cursor.end();
  return entry;
}

type EntryData = Omit<DnsZoneRecord, 'name' | 'type' | 'ttl'>;

function entryData(type: ManagedType, cursor: TokenCursor, zone: string): EntryData {
  const target = (what: string, rootAllowed = true) => entryTarget(cursor.word(what), zone, rootAllowed);
  const number = (what: string) => cursor.number(what, 0xffff);
  const hexField = (what: keyof typeof MAX_HEX): string => {
    const text = cursor.word(what);
    if (text.length > MAX_HEX[what])
      throw new Error(`${type} ${what} longer than ${MAX_HEX[what]} hex digits`);
    return text;
  };
  switch (type) {
    case 'A':
      return { value: cursor.word('address') };
    case 'AAAA': {
      const value = cursor.word('address');
      // The API server's CEL ip() refuses IPv4-mapped addresses (::ffff:0:0/96): no DnsZone holds one.
      if (parseIPv6(value)?.subarray(0, 12).join() === '0,0,0,0,0,0,0,0,0,0,255,255')
        throw new Error(`a DnsZone AAAA record cannot hold the IPv4-mapped address ${value}`);
      return { value };
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { value: target('target', false) };
    case 'TXT': {
      const strings = [cursor.quoted('string')];
      while (!cursor.done) strings.push(cursor.quoted('string'));
      return txtData(strings);
    }
    case 'MX':
      return { mx: { preference: number('preference'), exchange: target('exchange') } };
    case 'SRV':
      return {
        srv: {
          priority: number('priority'),
          weight: number('weight'),
          port: number('port'),
          target: target('target'),
        },
      };
    case 'CAA': {
      const flags = number('flags');
      const tag = cursor.word('tag');
      const value = cursor.next('value');
      if (!(CAA_TAGS as readonly string[]).includes(tag))
        throw new Error(`CAA tag ${tag} is not one of ${CAA_TAGS.join(', ')}`);
      if (!value.quoted) throw new Error('CAA value must be quoted');
      const text = entryText(value.bytes, 'CAA value');
      if ([...text].length > MAX_VALUE_CHARACTERS)
        throw new Error(`CAA value longer than ${MAX_VALUE_CHARACTERS} characters`);
      return {
        caa: { ...(flags === 0 ? {} : { flags }), tag: tag as (typeof CAA_TAGS)[number], value: text },
      };
    }
    case 'NAPTR': {
      const [order, preference] = [number('order'), number('preference')];
      const text = (what: string) => entryText(cursor.quoted(what), `NAPTR ${what}`);
      const [flags, service, regexp] = [text('flags'), text('service'), text('regexp')];
      if (!/^[A-Za-z0-9]{0,16}$/.test(flags))
        throw new Error(`NAPTR flags ${flags} are not up to 16 letters and digits`);
      const replacement = target('replacement');
      return {
        naptr: {
          order,
          preference,
          flags,
          service,
          ...(regexp ? { regexp } : {}),
          ...(replacement === '.' ? {} : { replacement }),
        },
      };
    }
    case 'SSHFP':
      return {
        sshfp: {
          algorithm: number('algorithm'),
          fingerprintType: number('fingerprint type'),
          fingerprint: hexField('fingerprint'),
        },
      };
    case 'TLSA':
      return {
        tlsa: {
          usage: number('usage'),
          selector: number('selector'),
          matchingType: number('matching type'),
          certificateData: hexField('certificateData'),
        },
      };
    case 'DS':
      return {
        ds: {
          keyTag: number('key tag'),
          algorithm: number('algorithm'),
          digestType: number('digest type'),
          digest: hexField('digest'),
        },
      };
  }
}

/** `value` when cutting it at 255 bytes gives back the strings, else `strings`. */
function txtData(strings: Uint8Array[]): EntryData {
  const joined = Buffer.concat(strings);
  const resplit = splitCharacterStrings(joined);
  const sameSplit =
    resplit.length === strings.length &&
    resplit.every((bytes, i) => Buffer.from(bytes).equals(strings[i] ?? Buffer.alloc(0)));
  if (sameSplit && joined.length > 0) {
    const value = entryText(joined, 'TXT text');
    if ([...value].length <= MAX_VALUE_CHARACTERS) return { value };
  }
  if (strings.length > MAX_STRINGS)
    throw new Error(`TXT record of ${strings.length} strings; a DnsZone entry holds ${MAX_STRINGS}`);
  return { strings: strings.map((bytes) => entryText(bytes, 'TXT string')) };
}

/** How a DnsZone spec names canonical `name`: `@`, relative to the zone, or absolute when outside it. */
export function shortestName(name: string, zone: string): string {
  const below = labelsBelow(name, zone);
  if (below === undefined) return name;
  if (below.length === 0) return '@';
  const relative = below.join('.');
  const origin = zone.slice(0, -1);
  // A relative name that ends with the origin reads as name.origin.origin; the CRD refuses it.
  return relative === origin || relative.endsWith(`.${origin}`) ? name : relative;
}

function entryName(name: string, zone: string, type: ManagedType): string {
  if (labelsBelow(name, zone) === undefined) throw new Error(`${name} is outside the zone ${zone}`);
  const text = shortestName(name, zone);
  if (!OWNER.test(text) || text.length > MAX_NAME) {
    throw new Error(
      `a DnsZone record name has lowercase letters, digits, - and _ only: ${name} cannot be one`,
    );
  }
  if (type === 'SRV' && !/^_[a-z0-9-]+\._[a-z0-9-]+(\.|$)/.test(text)) {
    throw new Error(`a DnsZone SRV record name starts with _service._proto: ${name} does not`);
  }
  if (type === 'TLSA' && !/^_[0-9]+\._(tcp|udp|sctp)(\.|$)/.test(text)) {
    throw new Error(`a DnsZone TLSA record name starts with _port._tcp, _udp or _sctp: ${name} does not`);
  }
  return text;
}

function entryTarget(name: string, zone: string, rootAllowed: boolean): string {
  const text = shortestName(name, zone);
  if (!TARGET.test(text) || text.length > MAX_NAME || (text === '.' && !rootAllowed)) {
    throw new Error(
      `a DnsZone target name has lowercase letters, digits, - and _ only: ${name} cannot be one`,
    );
  }
  return text;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function entryText(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error(`the ${what} is not UTF-8 text, which is all a DnsZone entry can hold`);
  }
}

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
