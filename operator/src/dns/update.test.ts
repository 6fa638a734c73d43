import { describe, expect, it } from '@jest/globals';
import { updateMessageSize } from './client.js';
import { CLASS_ANY, CLASS_IN, CLASS_NONE, OPCODE_UPDATE } from './constants.js';
import { decodeMessage } from './message.js';
import type { ResourceRecord } from './record.js';
import { encodeUpdate, type UpdateRequest } from './update.js';

const www = (data: string, ttl = 300): ResourceRecord => ({
  name: 'www.example.test.',
  type: 'A',
  ttl,
  data,
});
const sections = (request: UpdateRequest) => {
  const message = decodeMessage(encodeUpdate(request, 42));
  const plain = (records: typeof message.answers) =>
    records.map((r) => [r.name, r.type, r.class, r.ttl, r.data] as const);
  return { message, prerequisites: plain(message.answers), updates: plain(message.authority) };
};

describe('UPDATE messages', () => {
  it('puts the zone, prerequisites, then deletions before additions (RFC 2136)', () => {
    const { message, prerequisites, updates } = sections({
      zone: 'Example.test',
      prerequisites: [
        {
          kind: 'rrsetExactly',
          name: 'www.example.test.',
          type: 'A',
          records: [www('192.0.2.1'), www('192.0.2.2')],
        },
        { kind: 'rrsetAbsent', name: 'new.example.test.', type: 'TXT' },
        { kind: 'rrsetExactly', name: 'gone.example.test.', type: 'MX', records: [] },
      ],
      deletions: [
        { kind: 'rrset', name: 'old.example.test.', type: 'CNAME' },
        { kind: 'record', record: www('192.0.2.1') },
      ],
      additions: [www('192.0.2.3', 60), { name: 'new.example.test.', type: 'TXT', ttl: 30, data: '"hi"' }],
    });
    expect(message.header).toMatchObject({ id: 42, opcode: OPCODE_UPDATE, qr: false });
    expect(message.questions).toEqual([{ name: 'example.test.', type: 'SOA', class: CLASS_IN }]);
    expect(prerequisites).toEqual([
      ['www.example.test.', 'A', CLASS_IN, 0, '192.0.2.1'],
      ['www.example.test.', 'A', CLASS_IN, 0, '192.0.2.2'],
      ['new.example.test.', 'TXT', CLASS_NONE, 0, ''],
      ['gone.example.test.', 'MX', CLASS_NONE, 0, ''],
    ]);
    expect(updates).toEqual([
      ['old.example.test.', 'CNAME', CLASS_ANY, 0, ''],
      ['www.example.test.', 'A', CLASS_NONE, 0, '192.0.2.1'],
      ['www.example.test.', 'A', CLASS_IN, 60, '192.0.2.3'],
      ['new.example.test.', 'TXT', CLASS_IN, 30, '"hi"'],
    ]);
  });

  it('measures the message without TSIG', () => {
    const empty: UpdateRequest = { zone: 'example.test.', prerequisites: [], deletions: [], additions: [] };
    expect(updateMessageSize(empty)).toBe(12 + 14 + 4);
    // Owner name compressed to a pointer: 2 + 10 + 4 bytes of A data.
    expect(updateMessageSize({ ...empty, additions: [www('192.0.2.1')] })).toBe(30 + 4 + 2 + 10 + 4);
  });

  it.each([
    [{ additions: [www('192.0.2.01')] }, /not an IPv4 address/],
    [{ additions: [{ ...www('192.0.2.1'), name: 'WWW.example.test.' }] }, /not canonical/],
    [{ additions: [{ ...www('192.0.2.1'), name: 'www.example.test' }] }, /not absolute/],
    [{ additions: [www('192.0.2.1', -1)] }, /TTL -1/],
    [{ additions: [www('')] }, /has no data/],
    [{ deletions: [{ kind: 'rrset', name: 'x.example.test.', type: 'BOGUS' }] }, /unknown record type/],
    [
      {
        prerequisites: [
          { kind: 'rrsetExactly', name: 'a.example.test.', type: 'A', records: [www('192.0.2.1')] },
        ],
      },
      /lists a record of www.example.test. A/,
    ],
  ] as [Partial<UpdateRequest>, RegExp][])('rejects %j', (fields, error) => {
    const request = { zone: 'example.test.', prerequisites: [], deletions: [], additions: [], ...fields };
    expect(() => encodeUpdate(request, 1)).toThrow(error);
  });
});
