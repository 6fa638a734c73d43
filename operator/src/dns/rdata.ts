// RDATA in both directions: canonical presentation text (see record.ts) <-> wire bytes.
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './address.js';
import { typeNumber } from './constants.js';
import { canonicalNameWire, parseName } from './name.js';
import { quoteString, RdataSyntaxError, toHex, tokenize, TokenCursor } from './presentation.js';
import { MalformedMessageError, WireReader, WireWriter } from './wireBuffer.js';

interface RdataCodec {
  write(cursor: TokenCursor, writer: WireWriter): void;
  /** Reads the RDATA that ends at end; names may point back into the message. */
  read(reader: WireReader, end: number): string;
}

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffffffff;

function writeName(cursor: TokenCursor, writer: WireWriter, what: string, compressible: boolean): void {
  const text = cursor.word(what);
  try {
    writer.name(parseName(text), compressible);
  } catch (error) {
    throw cursor.fail(`${what}: ${(error as Error).message}`);
  }
}

/** NS, CNAME, PTR: one name, compressible (RFC 1035 types). */
const singleName: RdataCodec = {
  write: (cursor, writer) => writeName(cursor, writer, 'name', true),
  read: (reader) => reader.name(),
};

const address = (length: 4 | 16): RdataCodec => ({
  write(cursor, writer) {
    const text = cursor.word('address');
    const bytes = length === 4 ? parseIPv4(text) : parseIPv6(text);
    if (!bytes) throw cursor.fail(`${JSON.stringify(text)} is not an IPv${length === 4 ? 4 : 6} address`);
    writer.bytes(bytes);
  },
  read: (reader) => (length === 4 ? formatIPv4(reader.bytes(4)) : formatIPv6(reader.bytes(16))),
});

const mx: RdataCodec = {
  write(cursor, writer) {
    writer.u16(cursor.number('preference', U16));
    writeName(cursor, writer, 'exchange', true);
  },
  read: (reader) => `${reader.u16()} ${reader.name()}`,
};

const txt: RdataCodec = {
  write(cursor, writer) {
    do writer.characterString(cursor.quoted('string'));
    while (!cursor.done);
  },
  read(reader, end) {
    const strings: string[] = [];
    do strings.push(quoteString(reader.characterString()));
    while (reader.offset < end);
    return strings.join(' ');
  },
};

const srv: RdataCodec = {
  write(cursor, writer) {
    for (const what of ['priority', 'weight', 'port']) writer.u16(cursor.number(what, U16));
    writeName(cursor, writer, 'target', false);
  },
  read: (reader) => `${reader.u16()} ${reader.u16()} ${reader.u16()} ${reader.name()}`,
};

const caa: RdataCodec = {
  write(cursor, writer) {
    writer.u8(cursor.number('flags', U8));
    const tag = cursor.word('tag');
    if (!/^[A-Za-z0-9]{1,255}$/.test(tag))
      throw cursor.fail(`tag ${JSON.stringify(tag)} is not alphanumeric`);
    writer.characterString(Buffer.from(tag, 'latin1'));
    const value = cursor.next('value');
    if (!value.quoted) throw cursor.fail('value must be a "quoted string"');
    writer.bytes(value.bytes);
  },
  read(reader, end) {
    const flags = reader.u8();
    const tag = reader.characterString().toString('latin1');
    if (!/^[A-Za-z0-9]+$/.test(tag)) throw new MalformedMessageError('CAA tag is not alphanumeric');
    return `${flags} ${tag} ${quoteString(reader.bytes(end - reader.offset))}`;
  },
};

const naptr: RdataCodec = {
  write(cursor, writer) {
    writer.u16(cursor.number('order', U16));
    writer.u16(cursor.number('preference', U16));
    for (const what of ['flags', 'service', 'regexp']) writer.characterString(cursor.quoted(what));
    writeName(cursor, writer, 'replacement', false);
  },
  read(reader) {
    const numbers = `${reader.u16()} ${reader.u16()}`;
    const strings = [1, 2, 3].map(() => quoteString(reader.characterString())).join(' ');
    return `${numbers} ${strings} ${reader.name()}`;
  },
};

/** SSHFP, TLSA, DS: fixed-size numbers, then hexadecimal to the end. */
const numbersThenHex = (fields: [string, number][], hexName: string): RdataCodec => ({
  write(cursor, writer) {
    for (const [what, max] of fields) {
      const value = cursor.number(what, max);
      if (max === U8) writer.u8(value);
      else writer.u16(value);
    }
    writer.bytes(cursor.hexTail(hexName));
  },
  read(reader, end) {
    const numbers = fields.map(([, max]) => (max === U8 ? reader.u8() : reader.u16()));
    const hex = toHex(reader.bytes(end - reader.offset));
    return [...numbers, ...(hex ? [hex] : [])].join(' ');
  },
});

const soa: RdataCodec = {
  write(cursor, writer) {
    writeName(cursor, writer, 'mname', true);
    writeName(cursor, writer, 'rname', true);
    for (const what of ['serial', 'refresh', 'retry', 'expire', 'minimum'])
      writer.u32(cursor.number(what, U32));
  },
  read: (reader) =>
    `${reader.name()} ${reader.name()} ${reader.u32()} ${reader.u32()} ${reader.u32()} ${reader.u32()} ${reader.u32()}`,
};

/** RFC 3597 `\# <length> <HEX>`, for every type without a codec of its own. */
const generic: RdataCodec = {
  write(cursor, writer) {
    if (cursor.word('\\#') !== '\\#') throw cursor.fail('only the RFC 3597 form \\# <length> <HEX> is known');
    const length = cursor.number('length', U16);
    const bytes = cursor.hexTail('data');
    if (bytes.length !== length) throw cursor.fail(`length ${length} but ${bytes.length} bytes of data`);
    writer.bytes(bytes);
  },
  read: (reader, end) => formatGeneric(reader.bytes(end - reader.offset)),
};

function formatGeneric(bytes: Uint8Array): string {
  return bytes.length === 0 ? '\\# 0' : `\\# ${bytes.length} ${toHex(bytes)}`;
}

/** Obsolete RFC 1035 types made of names, which a server may compress: uncompressed, then generic. */
const obsoleteNames = (count: number): RdataCodec => ({
  write: generic.write,
  read: (reader) =>
    formatGeneric(Buffer.concat(Array.from({ length: count }, () => canonicalNameWire(reader.labels())))),
});

const CODECS: Readonly<Record<string, RdataCodec>> = {
  A: address(4),
  AAAA: address(16),
  NS: singleName,
  CNAME: singleName,
  PTR: singleName,
  MX: mx,
  TXT: txt,
  SRV: srv,
  CAA: caa,
  NAPTR: naptr,
  SSHFP: numbersThenHex(
    [
      ['algorithm', U8],
      ['fingerprint type', U8],
    ],
    'fingerprint',
  ),
  TLSA: numbersThenHex(
    [
      ['usage', U8],
      ['selector', U8],
      ['matching type', U8],
    ],
    'certificate data',
  ),
  DS: numbersThenHex(
    [
      ['key tag', U16],
      ['algorithm', U8],
      ['digest type', U8],
    ],
    'digest',
  ),
  SOA: soa,
  MD: obsoleteNames(1),
  MF: obsoleteNames(1),
  MB: obsoleteNames(1),
  MG: obsoleteNames(1),
  MR: obsoleteNames(1),
  MINFO: obsoleteNames(2),
};

function codecOf(type: string): RdataCodec {
  typeNumber(type);
  return Object.hasOwn(CODECS, type) ? (CODECS[type] as RdataCodec) : generic;
}

/** Canonical RDATA text of a type to uncompressed wire bytes; rejects text not in canonical form. */
export function rdataToWire(type: string, data: string): Buffer {
  const writer = new WireWriter(false);
  const cursor = new TokenCursor(tokenize(data), type);
  codecOf(type).write(cursor, writer);
  cursor.end();
  const wire = writer.finish();
  if (wire.length > U16) throw cursor.fail('longer than 65535 bytes');
  const canonical = rdataFromWire(type, wire);
  if (canonical !== data) {
    throw new RdataSyntaxError(`${type} data ${JSON.stringify(data)} is not canonical: write ${canonical}`);
  }
  return wire;
}

/** Canonical RDATA text of wire bytes that stand alone (no compression pointers). */
export function rdataFromWire(type: string, wire: Uint8Array): string {
  const reader = new WireReader(Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength));
  return readRdata(reader, type, wire.length);
}

/** Writes canonical RDATA text into a message, compressing names where RFC 1035 allows it. */
export function writeRdata(writer: WireWriter, type: string, data: string): void {
  rdataToWire(type, data);
  codecOf(type).write(new TokenCursor(tokenize(data), type), writer);
}

/** Reads length bytes of RDATA at the reader's offset as canonical text. */
export function readRdata(reader: WireReader, type: string, length: number): string {
  const end = reader.offset + length;
  if (end > reader.message.length) throw new MalformedMessageError('RDATA runs past the end of the message');
  const text = codecOf(type).read(reader, end);
  if (reader.offset !== end) throw new MalformedMessageError(`${type} RDATA does not fill its RDLENGTH`);
  return text;
}
