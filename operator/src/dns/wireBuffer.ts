// Byte-level reading and writing of DNS messages, domain name compression included.
import { formatName, nameWireLength, type Labels } from './name.js';

export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

/** Appends to a growing buffer; remembers where names were written to point back at them. */
export class WireWriter {
  private buffer = Buffer.alloc(512);
  private length = 0;
  /** Canonical text of every compressible name suffix written so far, with its offset. */
  private readonly suffixOffsets = new Map<string, number>();

  /** compression false: no pointers at all, as for RDATA standing alone. */
  constructor(private readonly compression = true) {}

  get offset(): number {
    return this.length;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buffer.writeUInt8(value, this.length);
    this.length += 1;
  }

  u16(value: number): void {
    this.reserve(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
  }

  u32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
  }

  /** 48-bit unsigned (TSIG time signed). */
  u48(value: number): void {
    this.reserve(6);
    this.buffer.writeUIntBE(value, this.length, 6);
    this.length += 6;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  /** A <character-string>: one length byte, then at most 255 bytes. */
  characterString(data: Uint8Array): void {
    if (data.length > 255) throw new RangeError('character-string longer than 255 bytes');
    this.u8(data.length);
    this.bytes(data);
  }

  /**
   * A name; when compressible, its longest suffix already in the message becomes a pointer
   * (RFC 1035 4.1.4). Only owner names and the names of RFC 1035 types are compressible.
   */
  name(labels: Labels, compressible: boolean): void {
    const compress = compressible && this.compression;
    for (let i = 0; i < labels.length; i++) {
      if (compress) {
        const key = formatName(labels.slice(i));
        const earlier = this.suffixOffsets.get(key);
        if (earlier !== undefined) {
          this.u16(0xc000 | earlier);
          return;
        }
        if (this.length < 0x4000) this.suffixOffsets.set(key, this.length);
      }
      const label = labels[i] as Uint8Array;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  setU16(at: number, value: number): void {
    this.buffer.writeUInt16BE(value, at);
  }

  finish(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + extra));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Reads a whole message; names may point anywhere before the place they are read from. */
export class WireReader {
  offset = 0;

  constructor(readonly message: Buffer) {}

  get remaining(): number {
    return this.message.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.message.readUInt8(this.offset++);
  }

  u16(): number {
    this.need(2);
    const value = this.message.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.message.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  u48(): number {
    this.need(6);
    const value = this.message.readUIntBE(this.offset, 6);
    this.offset += 6;
    return value;
  }

  bytes(count: number): Buffer {
    if (count < 0) throw new MalformedMessageError('RDATA longer than its RDLENGTH');
    this.need(count);
    const data = this.message.subarray(this.offset, this.offset + count);
    this.offset += count;
    return data;
  }

  characterString(): Buffer {
    return this.bytes(this.u8());
  }

  /** A possibly compressed name; pointers must go strictly backwards, so loops are impossible. */
  labels(): Labels {
    const labels: Labels = [];
    let at = this.offset;
    let resumeAt: number | undefined;
    for (;;) {
      if (at >= this.message.length) throw new MalformedMessageError('name runs past the end of the message');
      const length = this.message[at] as number;
      if ((length & 0xc0) === 0xc0) {
        if (at + 1 >= this.message.length) throw new MalformedMessageError('truncated compression pointer');
        const target = ((length & 0x3f) << 8) | (this.message[at + 1] as number);
        if (target >= at) throw new MalformedMessageError('compression pointer does not point backwards');
        resumeAt ??= at + 2;
        at = target;
      } else if (length & 0xc0) {
        throw new MalformedMessageError(`unsupported label type 0x${length.toString(16)}`);
      } else if (length === 0) {
        this.offset = resumeAt ?? at + 1;
        if (nameWireLength(labels) > 255) throw new MalformedMessageError('name longer than 255 bytes');
        return labels;
      } else {
        if (at + 1 + length > this.message.length) throw new MalformedMessageError('truncated label');
        labels.push(this.message.subarray(at + 1, at + 1 + length));
        at += 1 + length;
      }
    }
  }

  name(): string {
    return formatName(this.labels());
  }

  private need(count: number): void {
    if (this.offset + count > this.message.length) {
      throw new MalformedMessageError(
        `message ends ${this.offset + count - this.message.length} bytes early`,
      );
    }
  }
}
