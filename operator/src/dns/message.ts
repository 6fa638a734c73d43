// DNS messages (RFC 1035 4.1): header, question and the three record sections.
import { CLASS_IN, typeName, typeNumber } from './constants.js';
import { parseName } from './name.js';
import { readRdata, writeRdata } from './rdata.js';
import { MalformedMessageError, WireReader, WireWriter } from './wireBuffer.js';

export interface Header {
  id: number;
  /** true in responses. */
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits of the response code (no EDNS here). */
  rcode: number;
}

export interface Question {
  name: string;
  type: string;
  class: number;
}

/** A record as messages carry it; data '' is empty RDATA (RFC 2136 prerequisites and deletions). */
export interface MessageRecord {
  name: string;
  type: string;
  class: number;
  ttl: number;
  data: string;
}

export interface DecodedRecord extends MessageRecord {
  /** Where the record starts in the message. */
  offset: number;
  /** Where its RDATA starts in the message. */
  rdataOffset: number;
  /** The RDATA bytes as received (names in it may be compression pointers). */
  rdata: Buffer;
}

export interface Message<R extends MessageRecord = MessageRecord> {
  header: Header;
  questions: Question[];
  answers: R[];
  authority: R[];
  additional: R[];
}

export type DecodedMessage = Message<DecodedRecord>;

export const HEADER_LENGTH = 12;
/** Offset of ARCOUNT in the header. */
export const ARCOUNT_OFFSET = 10;

export function newHeader(fields: Partial<Header> & Pick<Header, 'id'>): Header {
  return {
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    ...fields,
  };
}

export function encodeMessage(message: Message): Buffer {
  const writer = new WireWriter();
  writeMessage(writer, message);
  return writer.finish();
}

export function writeMessage(writer: WireWriter, message: Message): void {
  const { header } = message;
  writer.u16(header.id);
  writer.u16(
    (Number(header.qr) << 15) |
      ((header.opcode & 0xf) << 11) |
      (Number(header.aa) << 10) |
      (Number(header.tc) << 9) |
      (Number(header.rd) << 8) |
      (Number(header.ra) << 7) |
      (Number(header.ad) << 5) |
      (Number(header.cd) << 4) |
      (header.rcode & 0xf),
  );
  for (const section of [message.questions, message.answers, message.authority, message.additional]) {
    writer.u16(section.length);
  }
  for (const question of message.questions) {
    writer.name(parseName(question.name), true);
    writer.u16(typeNumber(question.type));
    writer.u16(question.class);
  }
  for (const record of [...message.answers, ...message.authority, ...message.additional]) {
    writeRecord(writer, record);
  }
}

export function writeRecord(writer: WireWriter, record: MessageRecord): void {
  writer.name(parseName(record.name), true);
  writer.u16(typeNumber(record.type));
  writer.u16(record.class);
  writer.u32(record.ttl);
  const lengthAt = writer.offset;
  writer.u16(0);
  if (record.data !== '') writeRdata(writer, record.type, record.data);
  writer.setU16(lengthAt, writer.offset - lengthAt - 2);
}

export function decodeHeader(wire: Buffer): Header {
  if (wire.length < HEADER_LENGTH) throw new MalformedMessageError('shorter than a DNS header');
  const flags = wire.readUInt16BE(2);
  const bit = (n: number) => (flags & (1 << n)) !== 0;
  return {
    id: wire.readUInt16BE(0),
    qr: bit(15),
    opcode: (flags >> 11) & 0xf,
    aa: bit(10),
    tc: bit(9),
    rd: bit(8),
    ra: bit(7),
    ad: bit(5),
    cd: bit(4),
    rcode: flags & 0xf,
  };
}

export function decodeMessage(wire: Buffer): DecodedMessage {
  const header = decodeHeader(wire);
  const reader = new WireReader(wire);
  reader.offset = 4;
  const [questionCount, answerCount, authorityCount, additionalCount] = [1, 2, 3, 4].map(() => reader.u16());
  const questions: Question[] = [];
  for (let i = 0; i < (questionCount as number); i++) {
    questions.push({ name: reader.name(), type: typeName(reader.u16()), class: reader.u16() });
  }
  const readSection = (count: number) => Array.from({ length: count }, () => readRecord(reader));
  const message = {
    header,
    questions,
    answers: readSection(answerCount as number),
    authority: readSection(authorityCount as number),
    additional: readSection(additionalCount as number),
  };
  if (reader.remaining > 0)
    throw new MalformedMessageError(`${reader.remaining} bytes after the last record`);
  return message;
}

function readRecord(reader: WireReader): DecodedRecord {
  const offset = reader.offset;
  const name = reader.name();
  const type = typeName(reader.u16());
  const recordClass = reader.u16();
  const ttl = reader.u32();
  const length = reader.u16();
  const rdataStart = reader.offset;
  const data = length === 0 && recordClass !== CLASS_IN ? '' : readRdata(reader, type, length);
  const rdata = reader.message.subarray(rdataStart, reader.offset);
  return { name, type, class: recordClass, ttl, data, offset, rdataOffset: rdataStart, rdata };
}
