import { describe, expect, it } from '@jest/globals';
import { recordKey } from './record.js';
import { parseZoneFile, ZoneFileError } from './zoneFile.js';

const HEAD = '$TTL 1h\n@ IN SOA ns1 hostmaster 1 1h 15m 2w 5m\n';

/** The records of `body` under a $TTL and SOA, SOA left out, as `name ttl type data` lines. */
function keys(body: string, origin = 'example.com'): string[] {
  return parseZoneFile(HEAD + body, origin)
    .records.filter((record) => record.type !== 'SOA')
    .map(recordKey);
}

function errorOf(text: string): ZoneFileError {
  try {
    parseZoneFile(text, 'example.com');
  } catch (error) {
    if (error instanceof ZoneFileError) return error;
    throw error;
  }
  throw new Error('parsed without an error');
}

describe('parseZoneFile: RDATA in canonical form', () => {
  it.each([
    ['a A 192.0.2.1', 'A 192.0.2.1'],
    ['a AAAA 2001:DB8:0:0:0:0:0:1', 'AAAA 2001:db8::1'],
    ['a AAAA 2001:db8:0:0:1:0:0:1', 'AAAA 2001:db8::1:0:0:1'],
    ['a AAAA ::ffff:192.0.2.1', 'AAAA ::ffff:c000:201'],
    ['a CNAME WWW', 'CNAME www.example.com.'],
    ['a NS ns1.Example.NET.', 'NS ns1.example.net.'],
    ['a PTR @', 'PTR example.com.'],
    ['a MX 10 mail', 'MX 10 mail.example.com.'],
    ['a MX 0 .', 'MX 0 .'],
    ['a TXT "v=spf1 -all"', 'TXT "v=spf1 -all"'],
    ['a TXT "a" "b"', 'TXT "a" "b"'],
    ['a TXT ""', 'TXT ""'],
    ['a TXT two words', 'TXT "two" "words"'],
    ['a TXT "say \\"hi\\"; ok" "back\\\\slash"', 'TXT "say \\"hi\\"; ok" "back\\\\slash"'],
    ['a TXT "caf\\195\\169" "\\065\\009"', 'TXT "caf\\195\\169" "A\\009"'],
    ['a TXT "café"', 'TXT "caf\\195\\169"'],
    ['a TXT "\\(x\\)" "\\;"', 'TXT "(x)" ";"'],
    ['_sip._tcp SRV 10 60 5060 sip', 'SRV 10 60 5060 sip.example.com.'],
    ['a CAA 0 issue "LetsEncrypt.org"', 'CAA 0 issue "LetsEncrypt.org"'],
    ['a CAA 128 ISSUEWILD ";"', 'CAA 128 ISSUEWILD ";"'],
    ['a CAA 0 iodef mailto:a@example.com', 'CAA 0 iodef "mailto:a@example.com"'],
    [
      'a NAPTR 100 10 u E2U+sip "!^.*$!sip:x@Example.com!" .',
      'NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:x@Example.com!" .',
    ],
    ['a NAPTR 10 5 "S" "SIP+D2U" "" _sip._udp', 'NAPTR 10 5 "S" "SIP+D2U" "" _sip._udp.example.com.'],
    [
      `a SSHFP 4 2 ( ${'ab'.repeat(16)}\n ${'cd'.repeat(16)} )`,
      `SSHFP 4 2 ${'AB'.repeat(16)}${'CD'.repeat(16)}`,
    ],
    [
      'a SSHFP 1 1 aacdea3350a27402906bcb4b1a8c08ca14ec51b9',
      'SSHFP 1 1 AACDEA3350A27402906BCB4B1A8C08CA14EC51B9',
    ],
    ['_443._tcp TLSA 3 1 1 0a0B 0c', 'TLSA 3 1 1 0A0B0C'],
    ['a DS 12345 ECDSAP256SHA256 SHA-256 ' + 'ab'.repeat(32), `DS 12345 13 2 ${'AB'.repeat(32)}`],
    ['a TYPE1 192.0.2.7', 'A 192.0.2.7'],
  ])('%s', (line, expected) => {
    const [key] = keys(`${line}\n`);
    expect(key?.split(' ').slice(2).join(' ')).toBe(expected);
  });
});

describe('parseZoneFile: names, TTLs and classes', () => {
  it('reads owners relative, absolute, @, blank and after $ORIGIN', () => {
    const body = [
      'www A 192.0.2.1',
      '    AAAA 2001:db8::1',
      'Mail.Example.Com. A 192.0.2.2',
      '*.dev A 192.0.2.3',
      '$ORIGIN sub',
      '@ A 192.0.2.4',
      'x A 192.0.2.5',
      '$ORIGIN other.example.com.',
      'y A 192.0.2.6',
    ].join('\n');
    expect(keys(body).map((key) => key.split(' ')[0])).toEqual([
      'www.example.com.',
      'www.example.com.',
      'mail.example.com.',
      '*.dev.example.com.',
      'sub.example.com.',
      'x.sub.example.com.',
      'y.other.example.com.',
    ]);
  });

  it.each([
    ['a 300 A 192.0.2.1', 300],
    ['a IN 300 A 192.0.2.1', 300],
    ['a 300 IN A 192.0.2.1', 300],
    ['a CLASS1 A 192.0.2.1', 3600],
    ['a 1h30m A 192.0.2.1', 5400],
    ['a 1W A 192.0.2.1', 604800],
    ['a 2d3H A 192.0.2.1', 183600],
    ['a 0 A 192.0.2.1', 0],
  ])('%s has TTL %d', (line, ttl) => {
    expect(keys(line)[0]?.split(' ')[1]).toBe(String(ttl));
  });

  it("follows BIND's TTL rules without $TTL: the previous TTL, else the SOA minimum", () => {
    const zone = parseZoneFile(
      '@ SOA ns1 hostmaster 1 1h 15m 2w 5m\n NS ns1\nns1 60 A 192.0.2.1\nb A 192.0.2.2\n',
      'example.com',
    );
    expect(zone.records.map((record) => record.ttl)).toEqual([300, 300, 60, 300]);
    expect(zone.warnings.map((warning) => warning.line)).toEqual([1]);
    const rfc1035 = parseZoneFile(
      '@ 100 SOA ns1 hostmaster 1 1h 15m 2w 5m\n NS ns1\nns1 60 A 192.0.2.1\nb A 192.0.2.2\n',
      'example.com',
    );
    expect(rfc1035.records.map((record) => record.ttl)).toEqual([100, 100, 60, 60]);
    expect(rfc1035.ttlDirective).toBeUndefined();
  });

  it('gives an RRset one TTL and keeps equal records once, with warnings', () => {
    const zone = parseZoneFile(
      `${HEAD}x 30 TXT a\nx 40 TXT b\ny A 192.0.2.1\nx 10 TXT c\nz A 192.0.2.9\nz A 192.0.2.9\n`,
      'example.com',
    );
    expect(
      zone.records.filter((record) => record.name === 'x.example.com.').map((record) => record.ttl),
    ).toEqual([10, 10, 10]);
    expect(zone.records.filter((record) => record.name === 'z.example.com.')).toHaveLength(1);
    expect(zone.warnings.map((warning) => warning.line)).toEqual([4, 3, 8]);
  });

  it('returns types a DnsZone cannot hold, and names outside the zone, as unsupported', () => {
    const zone = parseZoneFile(
      `${HEAD}h HINFO "PC" "Linux"\n@ DNSKEY 257 3 13 abc=\nother.net. A 192.0.2.1\nk TYPE65534 \\# 0\n`,
      'example.com',
    );
    expect(zone.unsupported.map(({ line, name, type }) => `${line} ${name} ${type}`)).toEqual([
      '3 h.example.com. HINFO',
      '4 example.com. DNSKEY',
      '5 other.net. A',
      '6 k.example.com. TYPE65534',
    ]);
    expect(zone.records).toHaveLength(1);
  });

  it('reads bytes outside ASCII as they are', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEAD}t TXT "`),
      Buffer.from([0xff, 0xe9]),
      Buffer.from('"\n'),
    ]);
    expect(parseZoneFile(bytes, 'example.com').records[1]?.data).toBe('"\\255\\233"');
  });
});

describe('parseZoneFile: errors name the line', () => {
  it.each([
    ['$INCLUDE other.zone', 3, /\$INCLUDE is not supported.*named-compilezone/],
    ['$GENERATE 1-10 host$ A 192.0.2.$', 3, /\$GENERATE is not supported/],
    ['$FOO bar', 3, /unknown directive \$FOO/],
    ['a 1h30 A 192.0.2.1', 3, /bad TTL 1h30/],
    ['a 2147483648 A 192.0.2.1', 3, /more than 2147483647/],
    ['a CH A 192.0.2.1', 3, /class CH is not supported/],
    ['a FOO 1', 3, /unknown record type FOO/],
    ['a A 192.0.2.01', 3, /bad IPv4 address/],
    ['a AAAA 2001:db8::1::2', 3, /bad IPv6 address/],
    ['a A 192.0.2.1 extra', 3, /extra data in A record/],
    ['a MX 10', 3, /MX data ends too early/],
    ['a MX 70000 mail', 3, /bad number 70000/],
    ['a TXT "unbalanced', 3, /unbalanced quotes/],
    [`a TXT "${'x'.repeat(256)}"`, 3, /at most 255 bytes/],
    ['a TXT "\\256"', 3, /bad escape/],
    ['a A ( 192.0.2.1 ; and no end', 3, /parenthesis never closed/],
    ['a A ( ( 192.0.2.1 ) )', 3, /nested parenthesis/],
    ['a A 192.0.2.1 )', 3, /closing parenthesis/],
    [`${'x'.repeat(64)} A 192.0.2.1`, 3, /label longer than 63 bytes/],
    ['a..b A 192.0.2.1', 3, /empty label/],
    ['a DS 1 13 2 ABCD', 3, /DS digest of 2 bytes; this digest type has 32/],
    ['a SSHFP 4 2 ABC', 3, /bad hexadecimal fingerprint/],
    ['a A \\# 4 C0000201', 3, /generic RDATA/],
    ['sub SOA ns1 hostmaster 1 1h 15m 2w 5m', 3, /SOA record at sub.example.com./],
    ['@ SOA ns1 hostmaster 1 1h 15m 2w 5m', 3, /second SOA record; the first is on line 2/],
  ])('%s', (body, line, message) => {
    const error = errorOf(`${HEAD}${body}\n`);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`line ${line}: `)).toBe(true);
  });

  it('needs a TTL, an owner and an SOA', () => {
    expect(errorOf('a A 192.0.2.1\n@ 60 SOA ns1 hostmaster 1 1h 15m 2w 5m\n').message).toMatch(
      /^line 1: no TTL/,
    );
    expect(errorOf('$TTL 1h\n  A 192.0.2.1\n').message).toMatch(/^line 2: the first record has no owner/);
    expect(errorOf('$TTL 1h\na A 192.0.2.1\n').message).toBe('no SOA record at example.com.');
  });
});
