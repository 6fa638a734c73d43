import { describe, expect, it } from '@jest/globals';
import type { DnsZoneRecord } from '../../api/types.generated.js';
import { recordKey, type ResourceRecord } from '../../dns/record.js';
import { entryFromRecord, recordFromEntry } from './records.js';

const ORIGIN = 'example.com';
const long = (length: number, char = 'x') => char.repeat(length);

/** Entries, and the canonical record (`name ttl type data`) each stands for with defaultTTL 3600. */
const ENTRIES: [string, DnsZoneRecord, string][] = [
  ['A', { name: 'www', type: 'A', value: '192.0.2.1' }, 'www.example.com. 3600 A 192.0.2.1'],
  [
    'AAAA, long form',
    { name: '@', type: 'AAAA', value: '2001:DB8:0:0:0:0:0:1' },
    'example.com. 3600 AAAA 2001:db8::1',
  ],
  [
    'CNAME, relative',
    { name: 'blog', type: 'CNAME', value: 'www', ttl: 60 },
    'blog.example.com. 60 CNAME www.example.com.',
  ],
  [
    'CNAME, outside',
    { name: 'shop', type: 'CNAME', value: 'shops.example.net.' },
    'shop.example.com. 3600 CNAME shops.example.net.',
  ],
  ['NS at the apex', { name: '@', type: 'NS', value: 'ns1' }, 'example.com. 3600 NS ns1.example.com.'],
  ['PTR to the apex', { name: '10', type: 'PTR', value: '@' }, '10.example.com. 3600 PTR example.com.'],
  [
    'absolute owner',
    { name: 'www.example.com.', type: 'A', value: '192.0.2.1' },
    'www.example.com. 3600 A 192.0.2.1',
  ],
  ['wildcard', { name: '*.dev', type: 'A', value: '192.0.2.3' }, '*.dev.example.com. 3600 A 192.0.2.3'],
  [
    'MX',
    { name: '@', type: 'MX', mx: { preference: 10, exchange: 'mail' } },
    'example.com. 3600 MX 10 mail.example.com.',
  ],
  ['null MX', { name: '@', type: 'MX', mx: { preference: 0, exchange: '.' } }, 'example.com. 3600 MX 0 .'],
  ['TXT', { name: '@', type: 'TXT', value: 'v=spf1 -all' }, 'example.com. 3600 TXT "v=spf1 -all"'],
  [
    'TXT with quotes',
    { name: 't', type: 'TXT', value: 'say "hi"; \\o/' },
    't.example.com. 3600 TXT "say \\"hi\\"; \\\\o/"',
  ],
  [
    'TXT in UTF-8',
    { name: 't', type: 'TXT', value: 'café\t' },
    't.example.com. 3600 TXT "caf\\195\\169\\009"',
  ],
  [
    'TXT over 255 bytes',
    { name: 't', type: 'TXT', value: long(300) },
    `t.example.com. 3600 TXT "${long(255)}" "${long(45)}"`,
  ],
  [
    'TXT cut inside a character',
    { name: 't', type: 'TXT', value: `${long(254)}é` },
    `t.example.com. 3600 TXT "${long(254)}\\195" "\\169"`,
  ],
  ['TXT strings', { name: 't', type: 'TXT', strings: ['a', 'b c'] }, 't.example.com. 3600 TXT "a" "b c"'],
  ['TXT empty string', { name: 't', type: 'TXT', strings: [''] }, 't.example.com. 3600 TXT ""'],
  [
    'TXT short then long',
    { name: 't', type: 'TXT', strings: ['v=DKIM1; ', long(255)] },
    `t.example.com. 3600 TXT "v=DKIM1; " "${long(255)}"`,
  ],
  [
    'SRV',
    { name: '_sip._tcp', type: 'SRV', srv: { priority: 10, weight: 60, port: 5060, target: 'sip' } },
    '_sip._tcp.example.com. 3600 SRV 10 60 5060 sip.example.com.',
  ],
  [
    'CAA',
    { name: '@', type: 'CAA', caa: { tag: 'issue', value: 'letsencrypt.org' } },
    'example.com. 3600 CAA 0 issue "letsencrypt.org"',
  ],
  [
    'CAA critical',
    { name: '@', type: 'CAA', caa: { flags: 128, tag: 'iodef', value: 'mailto:Sec@example.com' } },
    'example.com. 3600 CAA 128 iodef "mailto:Sec@example.com"',
  ],
  [
    'NAPTR with regexp',
    {
      name: 'sip',
      type: 'NAPTR',
      naptr: {
        order: 100,
        preference: 10,
        flags: 'U',
        service: 'E2U+sip',
        regexp: '!^.*$!sip:x@example.com!',
      },
    },
    'sip.example.com. 3600 NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:x@example.com!" .',
  ],
  [
    'NAPTR with replacement',
    {
      name: '@',
      type: 'NAPTR',
      naptr: { order: 10, preference: 5, flags: 'S', service: 'SIP+D2U', replacement: '_sip._udp' },
    },
    'example.com. 3600 NAPTR 10 5 "S" "SIP+D2U" "" _sip._udp.example.com.',
  ],
  [
    'SSHFP',
    { name: 'git', type: 'SSHFP', sshfp: { algorithm: 4, fingerprintType: 2, fingerprint: 'abcdef' } },
    'git.example.com. 3600 SSHFP 4 2 ABCDEF',
  ],
  [
    'TLSA',
    {
      name: '_443._tcp.www',
      type: 'TLSA',
      tlsa: { usage: 3, selector: 1, matchingType: 1, certificateData: '0a0b' },
    },
    '_443._tcp.www.example.com. 3600 TLSA 3 1 1 0A0B',
  ],
  [
    'DS',
    { name: 'sub', type: 'DS', ds: { keyTag: 31589, algorithm: 13, digestType: 2, digest: 'ABCD' } },
    'sub.example.com. 3600 DS 31589 13 2 ABCD',
  ],
];

const record = (key: string): ResourceRecord => {
  const [name = '', ttl = '', type = '', ...data] = key.split(' ');
  return { name, ttl: Number(ttl), type, data: data.join(' ') };
};

describe('recordFromEntry', () => {
  it.each(ENTRIES)('%s', (_, entry, key) => {
    expect(recordKey(recordFromEntry(entry, ORIGIN, 3600))).toBe(key);
  });

  it('takes the origin with or without its trailing dot', () => {
    const entry: DnsZoneRecord = { name: 'www', type: 'CNAME', value: '@' };
    expect(recordFromEntry(entry, 'example.com.', 1)).toEqual(recordFromEntry(entry, 'example.com', 1));
  });

  it.each<[string, DnsZoneRecord, RegExp]>([
    [
      'a TXT string over 255 bytes',
      { name: 't', type: 'TXT', strings: [long(128, 'é')] },
      /more than 255 bytes/,
    ],
    [
      'odd hex',
      { name: 'g', type: 'SSHFP', sshfp: { algorithm: 4, fingerprintType: 2, fingerprint: 'ABC' } },
      /bad hexadecimal/,
    ],
    ['no data', { name: 'm', type: 'MX' }, /has no mx/],
    ['a bad address', { name: 'a', type: 'A', value: '192.0.2.256' }, /bad address/],
  ])('refuses %s', (_, entry, message) => {
    expect(() => recordFromEntry(entry, ORIGIN, 3600)).toThrow(message);
  });
});

describe('entryFromRecord', () => {
  it.each(ENTRIES)('round-trips %s', (_, entry, key) => {
    const back = entryFromRecord(record(key), ORIGIN);
    expect(recordKey(recordFromEntry(back, ORIGIN, 1))).toBe(key);
  });

  it.each<[string, string, DnsZoneRecord]>([
    ['the apex as @', 'example.com. 60 A 192.0.2.1', { name: '@', type: 'A', ttl: 60, value: '192.0.2.1' }],
    [
      'relative names',
      'www.example.com. 60 CNAME web.example.com.',
      { name: 'www', type: 'CNAME', ttl: 60, value: 'web' },
    ],
    [
      'names outside absolute',
      'www.example.com. 60 CNAME cdn.example.net.',
      { name: 'www', type: 'CNAME', ttl: 60, value: 'cdn.example.net.' },
    ],
    [
      'names ending with the origin text absolute',
      'example.com.example.com. 60 NS ns.example.com.example.com.',
      { name: 'example.com.example.com.', type: 'NS', ttl: 60, value: 'ns.example.com.example.com.' },
    ],
    [
      '255-byte pieces as value',
      `t.example.com. 60 TXT "${long(255)}" "${long(45)}"`,
      { name: 't', type: 'TXT', ttl: 60, value: long(300) },
    ],
    [
      'other strings as strings',
      't.example.com. 60 TXT "a" "b"',
      { name: 't', type: 'TXT', ttl: 60, strings: ['a', 'b'] },
    ],
    [
      'an empty string as strings',
      't.example.com. 60 TXT ""',
      { name: 't', type: 'TXT', ttl: 60, strings: [''] },
    ],
    [
      'UTF-8 as text',
      't.example.com. 60 TXT "caf\\195\\169"',
      { name: 't', type: 'TXT', ttl: 60, value: 'café' },
    ],
    [
      'text over 1024 characters as strings',
      `t.example.com. 60 TXT ${`"${long(255)}" `.repeat(5).trim()}`,
      { name: 't', type: 'TXT', ttl: 60, strings: Array<string>(5).fill(long(255)) },
    ],
    [
      'CAA flags 0 left out',
      'example.com. 60 CAA 0 issue ";"',
      { name: '@', type: 'CAA', ttl: 60, caa: { tag: 'issue', value: ';' } },
    ],
    [
      'NAPTR defaults left out',
      'example.com. 60 NAPTR 1 2 "" "" "" .',
      { name: '@', type: 'NAPTR', ttl: 60, naptr: { order: 1, preference: 2, flags: '', service: '' } },
    ],
  ])('writes %s', (_, key, entry) => {
    expect(entryFromRecord(record(key), ORIGIN)).toEqual(entry);
  });

  it.each([
    ['another type', 'example.com. 60 HINFO "PC" "Linux"', /cannot hold HINFO records/],
    ['the SOA', 'example.com. 60 SOA ns1.example.com. h.example.com. 1 2 3 4 5', /cannot hold SOA records/],
    ['a name outside the zone', 'www.example.net. 60 A 192.0.2.1', /outside the zone/],
    ['a name with a space', 'a\\032b.example.com. 60 A 192.0.2.1', /lowercase letters, digits/],
    ['a target with an escaped dot', 'a.example.com. 60 CNAME b\\.c.example.com.', /target name/],
    ['text that is not UTF-8', 't.example.com. 60 TXT "\\255"', /not UTF-8/],
    ['a CAA tag outside the CRD', 'example.com. 60 CAA 0 ISSUE "ca.example.net"', /CAA tag ISSUE/],
    ['an SRV record at a plain name', 'sip.example.com. 60 SRV 0 0 5060 sip.example.com.', /_service._proto/],
    ['a TLSA record at a plain name', 'www.example.com. 60 TLSA 3 1 1 AB', /_port._tcp/],
    ['over 64 TXT strings', `t.example.com. 60 TXT ${'"a" '.repeat(65).trim()}`, /holds 64/],
    [
      'an IPv4-mapped address, which the CRD refuses',
      'm.example.com. 60 AAAA ::ffff:c000:201',
      /IPv4-mapped/,
    ],
  ])('refuses %s', (_, key, message) => {
    expect(() => entryFromRecord(record(key), ORIGIN)).toThrow(message);
  });
});
