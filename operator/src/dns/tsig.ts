// TSIG (RFC 8945): HMAC signatures on a request and on each response to it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS_ANY, rcodeName, typeNumber } from './constants.js';
import { DnsError } from './dnsError.js';
import { ARCOUNT_OFFSET, type DecodedMessage } from './message.js';
import { canonicalNameWire, normalizeName, parseName } from './name.js';
import { WireReader, WireWriter } from './wireBuffer.js';

export interface TsigKey {
  name: string;
  algorithm: 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';
  /** base64 */
  secret: string;
}

export const TSIG_FUDGE_SECONDS = 300;
/** RFC 8945 5.3.1: a signed message at least every 100 in a stream. */
const MAX_UNSIGNED_IN_A_ROW = 99;

const DIGESTS = {
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

interface PreparedKey {
  name: string;
  algorithmName: string;
  nameWire: Uint8Array;
  algorithmWire: Uint8Array;
  digest: string;
  secret: Buffer;
}

function prepare(key: TsigKey): PreparedKey {
  const digest = DIGESTS[key.algorithm];
  if (digest === undefined) throw new Error(`unsupported TSIG algorithm ${JSON.stringify(key.algorithm)}`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key.secret))
    throw new Error(`TSIG key ${key.name}: secret is not base64`);
  const name = normalizeName(key.name);
  const algorithmName = `${key.algorithm}.`;
  return {
    name,
    algorithmName,
    nameWire: canonicalNameWire(parseName(name)),
    algorithmWire: canonicalNameWire(parseName(algorithmName)),
    digest,
    secret: Buffer.from(key.secret, 'base64'),
  };
}

/** RFC 8945 4.3.3: key name, class, TTL, algorithm, time, fudge, error, other data. */
function variables(
  key: PreparedKey,
  timeSigned: number,
  fudge: number,
  error: number,
  other: Uint8Array,
): Buffer {
  const writer = new WireWriter(false);
  writer.bytes(key.nameWire);
  writer.u16(CLASS_ANY);
  writer.u32(0);
  writer.bytes(key.algorithmWire);
  writer.u48(timeSigned);
  writer.u16(fudge);
  writer.u16(error);
  writer.u16(other.length);
  writer.bytes(other);
  return writer.finish();
}

function timers(timeSigned: number, fudge: number): Buffer {
  const writer = new WireWriter(false);
  writer.u48(timeSigned);
  writer.u16(fudge);
  return writer.finish();
}

function lengthPrefixed(mac: Uint8Array): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(mac.length);
  return Buffer.concat([length, mac]);
}

export interface SignedRequest {
  wire: Buffer;
  mac: Buffer;
}

/** Appends a TSIG record to an encoded request that has none. */
export function signRequest(message: Buffer, key: TsigKey, nowMs = Date.now()): SignedRequest {
  const prepared = prepare(key);
  const timeSigned = Math.floor(nowMs / 1000);
  const mac = createHmac(prepared.digest, prepared.secret)
    .update(message)
    .update(variables(prepared, timeSigned, TSIG_FUDGE_SECONDS, 0, new Uint8Array()))
    .digest();
  const writer = new WireWriter(false);
  writer.bytes(message);
  writer.bytes(prepared.nameWire);
  writer.u16(typeNumber('TSIG'));
  writer.u16(CLASS_ANY);
  writer.u32(0);
  const lengthAt = writer.offset;
  writer.u16(0);
  writer.bytes(prepared.algorithmWire);
  writer.u48(timeSigned);
  writer.u16(TSIG_FUDGE_SECONDS);
  writer.u16(mac.length);
  writer.bytes(mac);
  writer.u16(message.readUInt16BE(0));
  writer.u16(0);
  writer.u16(0);
  writer.setU16(lengthAt, writer.offset - lengthAt - 2);
  writer.setU16(ARCOUNT_OFFSET, message.readUInt16BE(ARCOUNT_OFFSET) + 1);
  return { wire: writer.finish(), mac };
}

interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
  /** The message as it was before the TSIG record was added. */
  unsigned: Buffer;
}

/** The TSIG record of a message, if it has one; it must be the last additional record. */
function findTsig(wire: Buffer, message: DecodedMessage): TsigRecord | undefined {
  const records = [...message.answers, ...message.authority, ...message.additional];
  const index = records.findIndex((record) => record.type === 'TSIG');
  if (index < 0) return undefined;
  const record = records[index] as (typeof records)[number];
  if (index !== records.length - 1 || message.additional.at(-1) !== record) {
    throw new DnsError('FORMERR', 'TSIG record is not the last record of the response');
  }
  const reader = new WireReader(wire);
  reader.offset = record.rdataOffset;
  const algorithm = reader.name();
  const timeSigned = reader.u48();
  const fudge = reader.u16();
  const mac = reader.bytes(reader.u16());
  const originalId = reader.u16();
  const error = reader.u16();
  const other = reader.bytes(reader.u16());
  const unsigned = Buffer.from(wire.subarray(0, record.offset));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(message.additional.length - 1, ARCOUNT_OFFSET);
  return { keyName: record.name, algorithm, timeSigned, fudge, mac, originalId, error, other, unsigned };
}

/**
 * Verifies the responses to one signed request, in order: a single response, or each message of a
 * zone transfer, where a message may be unsigned and is then covered by the next signed one.
 */
export class ResponseVerifier {
  private readonly key: PreparedKey;
  private priorMac: Buffer;
  private unsignedSince: Buffer[] = [];
  private signedCount = 0;

  constructor(
    key: TsigKey,
    requestMac: Buffer,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = prepare(key);
    this.priorMac = requestMac;
  }

  /** Throws DnsError (BADSIG, BADKEY, BADTIME, …) unless the message is correctly signed or may be unsigned. */
  verify(wire: Buffer, message: DecodedMessage): void {
    const tsig = findTsig(wire, message);
    if (tsig === undefined) {
      const rcode = rcodeName(message.header.rcode);
      if (this.signedCount === 0) {
        throw new DnsError(
          rcode === 'NOERROR' ? 'BADSIG' : rcode,
          `unsigned response (${rcode}) to a signed request`,
        );
      }
      if (this.unsignedSince.length >= MAX_UNSIGNED_IN_A_ROW) {
        throw new DnsError('BADSIG', `more than ${MAX_UNSIGNED_IN_A_ROW} unsigned messages in a row`);
      }
      this.unsignedSince.push(wire);
      return;
    }
    if (tsig.keyName !== this.key.name || tsig.algorithm !== this.key.algorithmName) {
      throw new DnsError(
        'BADKEY',
        `response signed with key ${tsig.keyName} (${tsig.algorithm}), not ${this.key.name}`,
      );
    }
    if (tsig.error !== 0) {
      const error = rcodeName(tsig.error);
      throw new DnsError(error, `server rejected the TSIG of the request: ${error}`);
    }
    const hmac = createHmac(this.key.digest, this.key.secret).update(lengthPrefixed(this.priorMac));
    for (const unsigned of this.unsignedSince) hmac.update(unsigned);
    hmac.update(tsig.unsigned);
    hmac.update(
      this.signedCount === 0
        ? variables(this.key, tsig.timeSigned, tsig.fudge, tsig.error, tsig.other)
        : timers(tsig.timeSigned, tsig.fudge),
    );
    const expected = hmac.digest();
    if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) {
      throw new DnsError('BADSIG', `response MAC does not verify with key ${this.key.name}`);
    }
    const skewSeconds = Math.abs(this.nowMs() / 1000 - tsig.timeSigned);
    if (skewSeconds > tsig.fudge) {
      throw new DnsError(
        'BADTIME',
        `response signed ${Math.round(skewSeconds)} s away from now (fudge ${tsig.fudge} s)`,
      );
    }
    this.priorMac = tsig.mac;
    this.unsignedSince = [];
    this.signedCount++;
  }

  /** After the last message of a stream: it must have been signed. */
  finish(): void {
    if (this.unsignedSince.length > 0)
      throw new DnsError('BADSIG', 'the last message of the response is unsigned');
  }
}
