// A zone transfer server that signs only some messages of its stream, as RFC 8945 5.3.1 allows
// (BIND signs every one), so that dig and the client can be checked on the unsigned ones.
import { createHmac } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import type { TsigKey } from '../../../operator/src/dns/client.js';
import { CLASS_IN } from '../../../operator/src/dns/constants.js';
import { decodeMessage, encodeMessage, newHeader } from '../../../operator/src/dns/message.js';
import type { ResourceRecord } from '../../../operator/src/dns/record.js';

export interface StreamOptions {
  /** One entry per message: the records it carries and whether it is signed. */
  messages: { records: ResourceRecord[]; signed: boolean }[];
  /** false: leave unsigned messages out of the next MAC, as a broken server would. */
  coverUnsigned: boolean;
}

export interface SignedAxfrServer {
  port: number;
  close(): Promise<void>;
}

export async function startSignedAxfrServer(key: TsigKey, options: StreamOptions): Promise<SignedAxfrServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length < 2 || pending.length < 2 + pending.readUInt16BE(0)) return;
      for (const response of answer(key, options, pending.subarray(2, 2 + pending.readUInt16BE(0)))) {
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length);
        socket.write(Buffer.concat([prefix, response]));
      }
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(key: TsigKey, options: StreamOptions, request: Buffer): Buffer[] {
  const decoded = decodeMessage(request);
  const tsig = decoded.additional.at(-1);
  if (tsig?.type !== 'TSIG') throw new Error('unsigned request');
  const macAt = nameEnd(request, tsig.rdataOffset) + 6 + 2;
  const requestMac = request.subarray(macAt + 2, macAt + 2 + request.readUInt16BE(macAt));
  const messages = options.messages.map(({ records }, i) =>
    encodeMessage({
      header: newHeader({ id: decoded.header.id, qr: true, aa: true }),
      questions: i === 0 ? decoded.questions : [],
      answers: records.map((record) => ({ ...record, class: CLASS_IN })),
      authority: [],
      additional: [],
    }),
  );
  return signStream(key, requestMac, messages, options);
}

function nameEnd(wire: Buffer, at: number): number {
  while (wire[at] !== 0) at += 1 + (wire[at] as number);
  return at + 1;
}

/** RFC 8945 4.3 and 5.3.1, spelled out apart from operator/src/dns/tsig.ts. */
function signStream(key: TsigKey, requestMac: Buffer, messages: Buffer[], options: StreamOptions): Buffer[] {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const nameWire = (name: string) =>
    Buffer.concat([
      ...name
        .split('.')
        .filter(Boolean)
        .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
      Buffer.from([0]),
    ]);
  const time = Buffer.alloc(6);
  time.writeUIntBE(Math.floor(Date.now() / 1000), 0, 6);
  const timers = Buffer.concat([time, u16(300)]);
  const algorithm = nameWire(key.algorithm);
  let prior = requestMac;
  let unsigned: Buffer[] = [];
  return messages.map((message, i) => {
    if (!options.messages[i]?.signed) {
      if (options.coverUnsigned) unsigned.push(message);
      return message;
    }
    const hmac = createHmac(key.algorithm.replace('hmac-', ''), Buffer.from(key.secret, 'base64'));
    hmac.update(u16(prior.length)).update(prior);
    for (const earlier of unsigned) hmac.update(earlier);
    hmac.update(message);
    const variables = [nameWire(key.name), u16(255), Buffer.alloc(4), algorithm, timers, Buffer.alloc(4)];
    hmac.update(prior === requestMac ? Buffer.concat(variables) : timers);
    prior = hmac.digest();
    unsigned = [];
    const rdata = Buffer.concat([
      algorithm,
      timers,
      u16(prior.length),
      prior,
      message.subarray(0, 2),
      Buffer.alloc(4),
    ]);
    const record = Buffer.concat([
      nameWire(key.name),
      u16(250),
      u16(255),
      Buffer.alloc(4),
      u16(rdata.length),
      rdata,
    ]);
    const signed = Buffer.concat([message, record]);
    signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
    return signed;
  });
}
