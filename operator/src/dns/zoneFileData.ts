// The RDATA of one zone file record, from its tokens to the canonical data of record.ts.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
import { characterString, decodeEscapes } from './characterString.js';
import { absoluteName } from './domainName.js';
import { quoteString } from './presentation.js';
import type { ManagedType } from './record.js';
import type { ZoneToken } from './zoneFileTokens.js';
import { parseTtl } from './ttl.js';

/** The types a zone file may give servirt: the managed ones and the SOA. */
export type ZoneFileType = ManagedType | 'SOA';

// DNSSEC algorithm and DS digest mnemonics that BIND accepts in place of numbers.
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1,
  DH: 2,
  DSA: 3,
  RSASHA1: 5,
  'DSA-NSEC3-SHA1': 6,
  'RSASHA1-NSEC3-SHA1': 7,
  RSASHA256: 8,
  RSASHA512: 10,
  'ECC-GOST': 12,
  ECDSAP256SHA256: 13,
  ECDSAP384SHA384: 14,
  ED25519: 15,
  ED448: 16,
  INDIRECT: 252,
  PRIVATEDNS: 253,
  PRIVATEOID: 254,
};
const DIGEST_TYPES: Record<string, number> = {
  'SHA-1': 1,
  SHA1: 1,
  'SHA-256': 2,
  SHA256: 2,
  GOST: 3,
  'SHA-384': 4,
  SHA384: 4,
};
// Digest lengths in bytes that BIND checks: DS digest types 1, 2, 4 and SSHFP fingerprint types 1, 2.
const DS_DIGEST_BYTES: Record<number, number> = { 1: 20, 2: 32, 4: 48 };
const SSHFP_FINGERPRINT_BYTES: Record<number, number> = { 1: 20, 2: 32 };

/** Canonical data of a `type` record from its RDATA tokens; `origin` completes relative names. */
export function canonicalData(type: ZoneFileType, tokens: readonly ZoneToken[], origin: string): string {
  const first = tokens[0];
  if (first && !first.quoted && first.text === '\\#') {
    throw new Error(
      `generic RDATA (\\# …, RFC 3597) is not supported for ${type}; write the data in its usual form`,
    );
  }
  const fields = new Fields(type, tokens, origin);
  switch (type) {
    case 'A':
      return fields.done(formatIPv4(fields.address(parseIPv4, 'IPv4')));
    case 'AAAA':
      return fields.done(formatIPv6(fields.address(parseIPv6, 'IPv6')));
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return fields.done(fields.name());
    case 'MX':
      return fields.done(`${fields.number(0xffff)} ${fields.name()}`);
    case 'TXT': {
      const strings = [quoteString(fields.string())];
      while (fields.more()) strings.push(quoteString(fields.string()));
      return strings.join(' ');
    }
    case 'SRV':
      return fields.done(
        `${fields.number(0xffff)} ${fields.number(0xffff)} ${fields.number(0xffff)} ${fields.name()}`,
      );
    case 'CAA': {
      const flags = fields.number(0xff);
      const tag = fields.text();
      if (!/^[A-Za-z0-9]{1,15}$/.test(tag)) throw new Error(`bad CAA tag ${tag}: 1 to 15 letters and digits`);
      return fields.done(`${flags} ${tag} ${quoteString(decodeEscapes(fields.text()))}`);
    }
    case 'NAPTR': {
      const numbers = `${fields.number(0xffff)} ${fields.number(0xffff)}`;
      const strings = [fields.string(), fields.string(), fields.string()].map(quoteString).join(' ');
      return fields.done(`${numbers} ${strings} ${fields.name()}`);
    }
    case 'SSHFP': {
      const [algorithm, fingerprintType] = [fields.number(0xff), fields.number(0xff)];
      return `${algorithm} ${fingerprintType} ${fields.hex(SSHFP_FINGERPRINT_BYTES[fingerprintType], 'fingerprint')}`;
    }
    case 'TLSA':
      return `${fields.number(0xff)} ${fields.number(0xff)} ${fields.number(0xff)} ${fields.hex(undefined, 'data')}`;
    case 'DS': {
      const keyTag = fields.number(0xffff);
      const algorithm = fields.number(0xff, ALGORITHMS);
      const digestType = fields.number(0xff, DIGEST_TYPES);
      return `${keyTag} ${algorithm} ${digestType} ${fields.hex(DS_DIGEST_BYTES[digestType], 'digest')}`;
    }
    case 'SOA': {
      const names = `${fields.name()} ${fields.name()}`;
      const serial = fields.number(0xffffffff);
      const timers = [fields.ttl(), fields.ttl(), fields.ttl(), fields.ttl()];
      return fields.done(`${names} ${serial} ${timers.join(' ')}`);
    }
  }
}

/** The RDATA tokens of one record, taken one field at a time. */
class Fields {
  private next = 0;

  constructor(
    private readonly type: string,
    private readonly tokens: readonly ZoneToken[],
    private readonly origin: string,
  ) {}

  more(): boolean {
    return this.next < this.tokens.length;
  }

  text(): string {
    const token = this.tokens[this.next++];
    if (!token) throw new Error(`${this.type} data ends too early`);
    return token.text;
  }

  address(parse: (text: string) => Uint8Array | undefined, family: string): Uint8Array {
    const text = this.text();
    const address = parse(text);
    if (!address) throw new Error(`bad ${family} address ${text}`);
    return address;
  }

  string(): Uint8Array {
    return characterString(this.text());
  }

  name(): string {
    return absoluteName(this.text(), this.origin);
  }

  number(max: number, mnemonics: Record<string, number> = {}): number {
    const text = this.text();
    const known = mnemonics[text.toUpperCase()];
    if (known !== undefined) return known;
    if (!/^[0-9]+$/.test(text) || Number(text) > max)
      throw new Error(`bad number ${text} in ${this.type} data: 0 to ${max}`);
    return Number(text);
  }

  ttl(): number {
    return parseTtl(this.text(), 0xffffffff);
  }

  /** The remaining tokens as one hexadecimal string (spaces allowed), uppercase. */
  hex(bytes: number | undefined, what: string): string {
    if (!this.more()) throw new Error(`${this.type} data ends too early`);
    const hex = this.tokens
      .slice(this.next)
      .map((token) => token.text)
      .join('');
    this.next = this.tokens.length;
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`bad hexadecimal ${what} in ${this.type} data`);
    if (bytes !== undefined && hex.length !== bytes * 2) {
      throw new Error(`${this.type} ${what} of ${hex.length / 2} bytes; this digest type has ${bytes}`);
    }
    return hex.toUpperCase();
  }

  /** `data`, after checking that no token is left over. */
  done(data: string): string {
    const extra = this.tokens[this.next];
    if (extra) throw new Error(`extra data in ${this.type} record: ${extra.text}`);
    return data;
  }
}
