// A small DNS client for one server: queries, SOA serials, signed zone transfers and updates.
import { randomInt } from 'node:crypto';
import { CLASS_IN, rcodeName, typeNumber } from './constants.js';
import { DnsError } from './dnsError.js';
import {
  decodeHeader,
  decodeMessage,
  encodeMessage,
  newHeader,
  type DecodedMessage,
  type Question,
} from './message.js';
import { normalizeName } from './name.js';
import type { ResourceRecord } from './record.js';
import { DEFAULT_TIMEOUT_MS, exchangeTcp, exchangeUdp, type DnsEndpoint } from './transport.js';
import { ResponseVerifier, signRequest, type TsigKey } from './tsig.js';
import { encodeUpdate, type UpdateRequest } from './update.js';

export { DnsError } from './dnsError.js';
export type { DnsEndpoint } from './transport.js';
export type { TsigKey } from './tsig.js';
export type { Deletion, Prerequisite, UpdateRequest } from './update.js';

export interface QueryResult {
  rcode: string;
  authoritative: boolean;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
}

export interface QueryOptions {
  transport?: 'udp' | 'tcp';
  key?: TsigKey;
  timeoutMs?: number;
}

/** One question; UDP falls back to TCP when the answer is truncated. Response codes are returned, not thrown. */
export async function query(
  endpoint: DnsEndpoint,
  name: string,
  type: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  typeNumber(type);
  const id = randomInt(0x10000);
  const question: Question = { name: normalizeName(name), type, class: CLASS_IN };
  const unsigned = encodeMessage({
    header: newHeader({ id }),
    questions: [question],
    answers: [],
    authority: [],
    additional: [],
  });
  const signed = options.key ? signRequest(unsigned, options.key) : undefined;
  const request = signed?.wire ?? unsigned;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let wire: Buffer | undefined;
  if (options.transport !== 'tcp') {
    wire = await exchangeUdp(endpoint, request, timeoutMs, (datagram) =>
      isResponseTo(datagram, id, question),
    );
    if (decodeHeader(wire).tc) wire = undefined;
  }
  wire ??= await singleTcpResponse(endpoint, request, timeoutMs);
  const response = decodeResponse(wire, id, question);
  if (signed && options.key) new ResponseVerifier(options.key, signed.mac).verify(wire, response);
  return {
    rcode: rcodeName(response.header.rcode),
    authoritative: response.header.aa,
    answers: response.answers.map(resourceRecord),
    authority: response.authority.map(resourceRecord),
  };
}

const NOT_AUTHORITATIVE_RCODES = new Set(['REFUSED', 'NOTAUTH', 'SERVFAIL', 'NXDOMAIN']);

/** SOA serial of zone, asked over UDP (TCP on truncation); undefined when the server is not authoritative for it (REFUSED, NOTAUTH, SERVFAIL, NXDOMAIN or no SOA answer). Throws DnsError('TIMEOUT') when it does not answer. */
export async function querySoaSerial(
  endpoint: DnsEndpoint,
  zone: string,
  options: { timeoutMs?: number; transport?: 'udp' | 'tcp' } = {},
): Promise<number | undefined> {
  const zoneName = normalizeName(zone);
  const result = await query(endpoint, zoneName, 'SOA', options);
  if (NOT_AUTHORITATIVE_RCODES.has(result.rcode)) return undefined;
  if (result.rcode !== 'NOERROR')
    throw new DnsError(result.rcode, `SOA query for ${zoneName} failed: ${result.rcode}`);
  const soa = result.answers.find((record) => record.type === 'SOA' && record.name === zoneName);
  if (!result.authoritative || soa === undefined) return undefined;
  return Number(soa.data.split(' ')[2]);
}

/** AXFR over TCP signed with key; verifies TSIG on the responses; returns every record of the zone (the SOA once, first). Throws DnsError with the server's rcode (e.g. NOTAUTH, REFUSED). */
export async function transferZone(
  endpoint: DnsEndpoint,
  zone: string,
  key: TsigKey,
  options: { timeoutMs?: number } = {},
): Promise<ResourceRecord[]> {
  const zoneName = normalizeName(zone);
  const id = randomInt(0x10000);
  const question: Question = { name: zoneName, type: 'AXFR', class: CLASS_IN };
  const signed = signRequest(
    encodeMessage({
      header: newHeader({ id }),
      questions: [question],
      answers: [],
      authority: [],
      additional: [],
    }),
    key,
  );
  const verifier = new ResponseVerifier(key, signed.mac);
  const records: ResourceRecord[] = [];
  await exchangeTcp(endpoint, signed.wire, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, (wire) => {
    // Only the first message of a transfer has to repeat the question.
    const response = decodeResponse(wire, id, records.length === 0 ? question : undefined);
    verifier.verify(wire, response);
    const rcode = rcodeName(response.header.rcode);
    if (rcode !== 'NOERROR') throw new DnsError(rcode, `zone transfer of ${zoneName} failed: ${rcode}`);
    for (const [index, record] of response.answers.entries()) {
      const isSoa = record.type === 'SOA' && record.name === zoneName;
      if (records.length === 0 && !isSoa) {
        throw new DnsError('MALFORMED', `zone transfer of ${zoneName} does not start with its SOA`);
      }
      if (records.length > 0 && isSoa) {
        if (index !== response.answers.length - 1) {
          throw new DnsError('MALFORMED', `zone transfer of ${zoneName} has records after its closing SOA`);
        }
        return true;
      }
      records.push(resourceRecord(record));
    }
    return false;
  });
  verifier.finish();
  return records;
}

/** One RFC 2136 UPDATE over TCP, TSIG-signed, response verified. Resolves on NOERROR; throws DnsError(rcode) otherwise (NXRRSET/YXRRSET mean a prerequisite failed). */
export async function sendUpdate(
  endpoint: DnsEndpoint,
  request: UpdateRequest,
  key: TsigKey,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const id = randomInt(0x10000);
  const signed = signRequest(encodeUpdate(request, id), key);
  const question: Question = { name: normalizeName(request.zone), type: 'SOA', class: CLASS_IN };
  const wire = await singleTcpResponse(endpoint, signed.wire, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const response = decodeResponse(wire, id, question);
  const verifier = new ResponseVerifier(key, signed.mac);
  verifier.verify(wire, response);
  const rcode = rcodeName(response.header.rcode);
  if (rcode !== 'NOERROR') throw new DnsError(rcode, `update of zone ${question.name} failed: ${rcode}`);
}

/**
 * Encoded size in bytes of the UPDATE message without TSIG, so callers can split change sets that
 * would not fit in one TCP message (65535). TSIG adds the key name, the algorithm name and about
 * 100 bytes more.
 */
export function updateMessageSize(request: UpdateRequest): number {
  return encodeUpdate(request, 0).length;
}

function singleTcpResponse(endpoint: DnsEndpoint, request: Buffer, timeoutMs: number): Promise<Buffer> {
  let response: Buffer | undefined;
  return exchangeTcp(endpoint, request, timeoutMs, (wire) => {
    response = wire;
    return true;
  }).then(() => response as Buffer);
}

/**
 * Whether a datagram answers our question; a response without one is taken only as an error. A
 * truncated one is taken as it is: the question is asked again over TCP.
 */
function isResponseTo(wire: Buffer, id: number, question: Question): boolean {
  if (wire.length < 12 || wire.readUInt16BE(0) !== id) return false;
  const header = decodeHeader(wire);
  if (!header.qr) return false;
  if (header.tc) return true;
  return answersQuestion(decodeResponse(wire, id, undefined), question);
}

function answersQuestion(response: DecodedMessage, question: Question): boolean {
  const [asked, ...more] = response.questions;
  if (asked === undefined) return response.header.rcode !== 0;
  return (
    more.length === 0 &&
    asked.name === question.name &&
    asked.type === question.type &&
    asked.class === question.class
  );
}

function decodeResponse(wire: Buffer, id: number, question: Question | undefined): DecodedMessage {
  let response: DecodedMessage;
  try {
    response = decodeMessage(wire);
  } catch (error) {
    throw new DnsError('MALFORMED', `malformed DNS response: ${(error as Error).message}`);
  }
  if (!response.header.qr || response.header.id !== id) {
    throw new DnsError('MALFORMED', 'the response does not answer the request (ID differs)');
  }
  if (question && !answersQuestion(response, question)) {
    throw new DnsError(
      'MALFORMED',
      `the response does not answer the question ${question.name} ${question.type}`,
    );
  }
  return response;
}

function resourceRecord(record: ResourceRecord): ResourceRecord {
  return { name: record.name, type: record.type, ttl: record.ttl, data: record.data };
}
