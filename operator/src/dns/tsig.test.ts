import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { CLASS_ANY, CLASS_IN } from './constants.js';
import { DnsError } from './dnsError.js';
import { decodeMessage, encodeMessage, newHeader } from './message.js';
import { ResponseVerifier, signRequest, type TsigKey } from './tsig.js';

const hex = (text: string) => Buffer.from(text, 'hex');
const SECRET = 'c2VydmlydCB1bml0IHRlc3Qga2V5LCAzMiBieXRlcw==';

// `dig -y hmac-sha256:k:SECRET www.example.test TXT +noedns +nocookie` (BIND 9.18), as sent.
const DIG_KEY: TsigKey = { name: 'k', algorithm: 'hmac-sha256', secret: SECRET };
const DIG_REQUEST = hex(
  'f4c30120000100000000000103777777076578616d706c6504746573740000100001016b0000fa00ff00000000003d0b686d61' +
    '632d7368613235360000006b09594e012c0020c40d59a7eb04da542a9cbead7868b63fc5d36b79f834079832021125b134b05' +
    '7f4c300000000',
);

// named 9.18's signed answers to signRequest(`small.test. SOA` / AXFR, BIND_KEY, NOW), id 0x1234.
const BIND_KEY: TsigKey = { name: 'tsig-key.example.', algorithm: 'hmac-sha512', secret: SECRET };
const SOA_EXCHANGE: Exchange = {
  now: 1795774798426,
  requestMac: hex(
    'eebd909a432a0ab50d1e422e973c7c2098494e0ba4373405a34d09c3ba3107ee8e9b3c056bd462907a294a1d31a481552b701dc67deda412897a01655f1a6c25',
  ),
  response: hex(
    '12348400000100010001000205736d616c6c04746573740000060001c00c000600010000003c001e036e7331c00c0168c00c00' +
      '00000700000e1000000384001275000000012cc00c000200010000003c0002c028c028000100010000003c0004c000023508' +
      '747369672d6b6579076578616d706c650000fa00ff00000000005d0b686d61632d7368613531320000006b09594e012c0040' +
      '7b7ffe44a3ca727dd0be6269b9d019f0395e67f8983a6b1f93987c7b24a3e5b42c3d8df3ac834da2446d6d0d4fed4035cc98' +
      '6862641b47ae65fe84441efc34b6123400000000',
  ),
};
const AXFR_EXCHANGE: Exchange = {
  now: 1795774798432,
  requestMac: hex(
    '8c1d3eabb23e3b38544c290fe175ede4449feb8810bc7bf937b9780ae4c8297e5fbf2c77c578c80ca86e3aa543bc8e8858bef4b08a7803a33e8c61a75b80a180',
  ),
  response: hex(
    '12348400000100040000000105736d616c6c04746573740000fc0001c00c000600010000003c001e036e7331c00c0168c00c00' +
      '00000700000e1000000384001275000000012cc00c000200010000003c0002c028c028000100010000003c0004c0000235c0' +
      '0c000600010000003c0018c028c02e0000000700000e1000000384001275000000012c08747369672d6b6579076578616d70' +
      '6c650000fa00ff00000000005d0b686d61632d7368613531320000006b09594e012c00406ed9514d92f3b0f7c94efd225026' +
      'ffdd53063a03b3da643a06e4f4219f964c94afb5a070e21ab62474cc6b0e9ad3a3363febc6c893bbe8813decbafc5b5538e7' +
      '123400000000',
  ),
};

interface Exchange {
  now: number;
  requestMac: Buffer;
  response: Buffer;
}

function verify(exchange: Exchange, response = exchange.response, key = BIND_KEY, nowMs = exchange.now) {
  const verifier = new ResponseVerifier(key, exchange.requestMac, () => nowMs);
  verifier.verify(response, decodeMessage(response));
  verifier.finish();
}

const rcodeOf = (action: () => void) => {
  try {
    action();
  } catch (error) {
    if (error instanceof DnsError) return error.rcode;
    throw error;
  }
  return 'no error';
};

/** Server side of RFC 8945 5.3.1, written out apart from tsig.ts: signs where signed[i], accumulating the rest. */
function signStream(key: TsigKey, requestMac: Buffer, messages: Buffer[], signed: boolean[], time: number) {
  const digest = key.algorithm.replace('hmac-', '');
  const nameWire = (name: string) =>
    Buffer.concat([
      ...name
        .split('.')
        .filter(Boolean)
        .map((l) => Buffer.from([l.length, ...Buffer.from(l)])),
      hex('00'),
    ]);
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const timers = Buffer.concat([
    hex('0000'),
    Buffer.from([time >>> 24, (time >> 16) & 0xff, (time >> 8) & 0xff, time & 0xff]),
    u16(300),
  ]);
  let prior = requestMac;
  let unsigned: Buffer[] = [];
  return messages.map((message, i) => {
    if (!signed[i]) {
      unsigned.push(message);
      return message;
    }
    const hmac = createHmac(digest, Buffer.from(key.secret, 'base64'))
      .update(u16(prior.length))
      .update(prior);
    for (const earlier of unsigned) hmac.update(earlier);
    hmac.update(message);
    const algorithm = nameWire(key.algorithm);
    if (prior === requestMac)
      hmac.update(
        Buffer.concat([nameWire(key.name), u16(255), hex('00000000'), algorithm, timers, hex('00000000')]),
      );
    else hmac.update(timers);
    prior = hmac.digest();
    unsigned = [];
    const rdata = Buffer.concat([
      algorithm,
      timers,
      u16(prior.length),
      prior,
      message.subarray(0, 2),
      hex('00000000'),
    ]);
    const tsig = Buffer.concat([
      nameWire(key.name),
      u16(250),
      u16(255),
      hex('00000000'),
      u16(rdata.length),
      rdata,
    ]);
    const signedMessage = Buffer.concat([message, tsig]);
    signedMessage.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
    return signedMessage;
  });
}

describe('TSIG', () => {
  it('signs a request exactly as dig does', () => {
    const tsig = decodeMessage(DIG_REQUEST).additional[0];
    const unsigned = Buffer.from(DIG_REQUEST.subarray(0, tsig?.offset));
    unsigned.writeUInt16BE(0, 10);
    const timeSigned = DIG_REQUEST.readUIntBE((tsig?.rdataOffset ?? 0) + 13, 6);
    expect(signRequest(unsigned, DIG_KEY, timeSigned * 1000 + 999).wire).toEqual(DIG_REQUEST);
  });

  it.each([
    ['an answer', SOA_EXCHANGE],
    ['a one-message zone transfer', AXFR_EXCHANGE],
  ])("verifies BIND's signature on %s", (_what, exchange) => {
    expect(() => verify(exchange)).not.toThrow();
  });

  it('rejects a response whose MAC does not match', () => {
    const tampered = Buffer.from(SOA_EXCHANGE.response);
    tampered.writeUInt8(tampered.readUInt8(60) ^ 1, 60);
    expect(rcodeOf(() => verify(SOA_EXCHANGE, tampered))).toBe('BADSIG');
    expect(
      rcodeOf(() => verify(SOA_EXCHANGE, undefined, { ...BIND_KEY, secret: DIG_KEY.secret.slice(4) })),
    ).toBe('BADSIG');
    expect(rcodeOf(() => verify({ ...SOA_EXCHANGE, requestMac: AXFR_EXCHANGE.requestMac }))).toBe('BADSIG');
  });

  it('rejects a response signed too far from now, or with another key', () => {
    expect(rcodeOf(() => verify(SOA_EXCHANGE, undefined, BIND_KEY, SOA_EXCHANGE.now + 302_000))).toBe(
      'BADTIME',
    );
    expect(rcodeOf(() => verify(SOA_EXCHANGE, undefined, BIND_KEY, SOA_EXCHANGE.now - 302_000))).toBe(
      'BADTIME',
    );
    expect(rcodeOf(() => verify(SOA_EXCHANGE, undefined, { ...BIND_KEY, name: 'other.example' }))).toBe(
      'BADKEY',
    );
    expect(rcodeOf(() => verify(SOA_EXCHANGE, undefined, { ...BIND_KEY, algorithm: 'hmac-sha384' }))).toBe(
      'BADKEY',
    );
  });

  it('reports the TSIG error of a server that could not verify the request', () => {
    const rdata = '0B686D61632D736861353132 00 00006B09594E 012C 0000 1234 0011 0000';
    const response = encodeMessage({
      header: newHeader({ id: 0x1234, qr: true, rcode: 9 }),
      questions: [{ name: 'small.test.', type: 'SOA', class: CLASS_IN }],
      answers: [],
      authority: [],
      additional: [
        {
          name: 'tsig-key.example.',
          type: 'TSIG',
          class: CLASS_ANY,
          ttl: 0,
          data: `\\# 29 ${rdata.replace(/ /g, '')}`,
        },
      ],
    });
    expect(rcodeOf(() => verify(SOA_EXCHANGE, response))).toBe('BADKEY');
  });

  it('rejects unsigned responses, with their own code when they report an error', () => {
    const unsigned = (rcode: number) =>
      encodeMessage({
        header: newHeader({ id: 0x1234, qr: true, rcode }),
        questions: [],
        answers: [],
        authority: [],
        additional: [],
      });
    expect(rcodeOf(() => verify(SOA_EXCHANGE, unsigned(0)))).toBe('BADSIG');
    expect(rcodeOf(() => verify(SOA_EXCHANGE, unsigned(5)))).toBe('REFUSED');
  });

  describe('message streams (RFC 8945 5.3.1)', () => {
    const now = 1_800_000_000_000;
    const messages = Array.from({ length: 6 }, (_, i) =>
      encodeMessage({
        header: newHeader({ id: 7, qr: true, aa: true }),
        questions: [],
        answers: [{ name: `r${i}.example.`, type: 'TXT', class: CLASS_IN, ttl: 60, data: `"message ${i}"` }],
        authority: [],
        additional: [],
      }),
    );
    const verifyStream = (key: TsigKey, stream: Buffer[]) => {
      const verifier = new ResponseVerifier(key, Buffer.alloc(32, 7), () => now);
      for (const message of stream) verifier.verify(message, decodeMessage(message));
      verifier.finish();
    };
    const sign = (key: TsigKey, signed: boolean[], input = messages) =>
      signStream(key, Buffer.alloc(32, 7), input, signed, now / 1000);

    it.each(['hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const)(
      'accepts a %s stream whose unsigned messages the next signed one covers',
      (algorithm) => {
        const key = { ...DIG_KEY, algorithm };
        expect(() => verifyStream(key, sign(key, [true, true, true, true, true, true]))).not.toThrow();
        expect(() => verifyStream(key, sign(key, [true, false, false, true, false, true]))).not.toThrow();
      },
    );

    it('rejects a stream whose last message is unsigned', () => {
      expect(
        rcodeOf(() => verifyStream(DIG_KEY, sign(DIG_KEY, [true, false, true, true, true, false]))),
      ).toBe('BADSIG');
    });

    it('rejects a changed unsigned message at the next signed one', () => {
      const stream = sign(DIG_KEY, [true, false, false, true, false, true]);
      const changed = Buffer.from(stream[2] as Buffer);
      changed.writeUInt8(changed.readUInt8(20) ^ 1, 20);
      stream[2] = changed;
      expect(rcodeOf(() => verifyStream(DIG_KEY, stream))).toBe('BADSIG');
    });

    it('rejects a stream that starts unsigned or leaves 100 messages in a row unsigned', () => {
      expect(rcodeOf(() => verifyStream(DIG_KEY, sign(DIG_KEY, [false, true, true, true, true, true])))).toBe(
        'BADSIG',
      );
      const many = Array.from({ length: 102 }, () => messages[0] as Buffer);
      const signed = many.map((_, i) => i === 0 || i === 101);
      expect(() => verifyStream(DIG_KEY, sign(DIG_KEY, signed, many))).toThrow(/more than 99 unsigned/);
    });
  });
});
