import { describe, expect, it } from '@jest/globals';
import { CLASS_ANY, CLASS_IN, CLASS_NONE } from './constants.js';
import { decodeMessage, encodeMessage, newHeader, type Message, type MessageRecord } from './message.js';

const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex');
const message = (fields: Partial<Message>): Message => ({
  header: newHeader({ id: 0x1234 }),
  questions: [],
  answers: [],
  authority: [],
  additional: [],
  ...fields,
});
const record = (name: string, type: string, data: string, ttl = 300): MessageRecord => ({
  name,
  type,
  class: CLASS_IN,
  ttl,
  data,
});
const withoutPositions = (records: MessageRecord[]) =>
  records.map(({ name, type, class: recordClass, ttl, data }) => ({
    name,
    type,
    class: recordClass,
    ttl,
    data,
  }));

// BIND 9.18's answer to a TSIG-signed `small.test. SOA` query: names compressed throughout.
const BIND_SOA_RESPONSE =
  '12348400000100010001000205736d616c6c04746573740000060001c00c000600010000003c001e036e7331c00c0168c00c00' +
  '00000700000e1000000384001275000000012cc00c000200010000003c0002c028c028000100010000003c0004c000023508' +
  '747369672d6b6579076578616d706c650000fa00ff00000000005d0b686d61632d7368613531320000006b09594e012c0040' +
  '7b7ffe44a3ca727dd0be6269b9d019f0395e67f8983a6b1f93987c7b24a3e5b42c3d8df3ac834da2446d6d0d4fed4035cc98' +
  '6862641b47ae65fe84441efc34b6123400000000';

describe('DNS messages', () => {
  it('encodes a query', () => {
    const query = message({ questions: [{ name: 'www.example.com.', type: 'A', class: CLASS_IN }] });
    expect(encodeMessage(query)).toEqual(
      hex('1234 0000 0001 0000 0000 0000 03777777 076578616D706C65 03636F6D 00 0001 0001'),
    );
  });

  it('round-trips every header flag', () => {
    const header = {
      id: 0xbeef,
      qr: true,
      opcode: 5,
      aa: true,
      tc: true,
      rd: true,
      ra: true,
      ad: true,
      cd: true,
      rcode: 9,
    };
    expect(decodeMessage(encodeMessage(message({ header }))).header).toEqual(header);
    expect(encodeMessage(message({ header })).readUInt16BE(2)).toBe(0xafb9);
  });

  it('decodes a compressed response from BIND', () => {
    const response = decodeMessage(hex(BIND_SOA_RESPONSE));
    expect(response.header).toMatchObject({ id: 0x1234, qr: true, aa: true, rcode: 0 });
    expect(response.questions).toEqual([{ name: 'small.test.', type: 'SOA', class: CLASS_IN }]);
    expect(withoutPositions(response.answers)).toEqual([
      record('small.test.', 'SOA', 'ns1.small.test. h.small.test. 7 3600 900 1209600 300', 60),
    ]);
    expect(withoutPositions(response.authority)).toEqual([
      record('small.test.', 'NS', 'ns1.small.test.', 60),
    ]);
    expect(response.additional.map((r) => [r.name, r.type, r.class])).toEqual([
      ['ns1.small.test.', 'A', CLASS_IN],
      ['tsig-key.example.', 'TSIG', CLASS_ANY],
    ]);
  });

  it('compresses owner names and the names of RFC 1035 types, not SRV targets', () => {
    const records = [
      record('www.example.com.', 'A', '192.0.2.1'),
      record('example.com.', 'MX', '10 mail.example.com.'),
      record('_sip._tcp.example.com.', 'SRV', '0 0 5060 sip.example.com.'),
      record('example.com.', 'SOA', 'ns1.example.com. hostmaster.example.com. 1 2 3 4 5'),
    ];
    const wire = encodeMessage(message({ answers: records }));
    const decoded = decodeMessage(wire);
    expect(withoutPositions(decoded.answers)).toEqual(records);
    const [www, mx, srv, soa] = decoded.answers;
    expect(mx?.offset).toBe((www?.offset ?? 0) + 17 + 10 + 4);
    expect(wire.readUInt16BE(mx?.offset ?? 0)).toBe(0xc000 | (12 + 4));
    expect(mx?.rdata).toEqual(hex(`000A 046D61696C C${(12 + 4).toString(16).padStart(3, '0')}`));
    expect(srv?.rdata.subarray(6)).toEqual(hex('03736970 076578616D706C65 03636F6D 00'));
    expect(soa?.rdata.length).toBe(6 + 13 + 20);
  });

  it('keeps RDATA-less update records of classes ANY and NONE as empty data', () => {
    const records: MessageRecord[] = [
      { name: 'a.example.', type: 'A', class: CLASS_ANY, ttl: 0, data: '' },
      { name: 'a.example.', type: 'TXT', class: CLASS_NONE, ttl: 0, data: '' },
      { name: 'a.example.', type: 'TXT', class: CLASS_NONE, ttl: 0, data: '"x"' },
    ];
    const decoded = decodeMessage(encodeMessage(message({ authority: records })));
    expect(withoutPositions(decoded.authority)).toEqual(records);
  });

  it.each([
    ['a short header', '1234 0000 0001', /shorter than a DNS header/],
    ['a missing question', '1234 0000 0001 0000 0000 0000', /past the end of the message/],
    ['bytes after the last record', '1234 0000 0000 0000 0000 0000 00', /1 bytes after the last record/],
    ['a pointer forwards', '1234 0000 0001 0000 0000 0000 C00E 0001 0001 00', /does not point backwards/],
    ['a pointer to itself', '1234 0000 0001 0000 0000 0000 C00C 0001 0001', /does not point backwards/],
    ['an extended label type', '1234 0000 0001 0000 0000 0000 40 0001 0001', /unsupported label type/],
    ['a label past the end', '1234 0000 0001 0000 0000 0000 05 6162', /truncated label/],
    ['RDATA past the end', '1234 0000 0000 0001 0000 0000 00 0001 0001 00000000 0004 C000', /past the end/],
  ])('rejects %s', (_what, wire, error) => {
    expect(() => decodeMessage(hex(wire))).toThrow(error);
  });
});
