import { describe, expect, it } from '@jest/globals';
import { rdataFromWire, rdataToWire } from './rdata.js';

const hex = (text: string) => Buffer.from(text.replace(/ /g, ''), 'hex');
const LONG_STRING = 'x'.repeat(255);

// [type, canonical text, wire bytes in hex]
const VECTORS: [string, string, string][] = [
  ['A', '192.0.2.1', 'C0000201'],
  ['A', '0.0.0.0', '00000000'],
  ['AAAA', '2001:db8::1', '20010DB8 00000000 00000000 00000001'],
  ['AAAA', '::', '00000000 00000000 00000000 00000000'],
  ['AAAA', '::1', '00000000 00000000 00000000 00000001'],
  ['AAAA', '2001:db8:0:1:1:1:1:1', '20010DB8 00000001 00010001 00010001'],
  ['AAAA', '2001:0:0:1::1', '20010000 00000001 00000000 00000001'],
  ['AAAA', '2001:db8::1:0:0:1', '20010DB8 00000000 00010000 00000001'],
  ['AAAA', '::ffff:c000:201', '00000000 00000000 0000FFFF C0000201'],
  ['AAAA', 'fe80::', 'FE800000 00000000 00000000 00000000'],
  ['NS', 'ns1.example.com.', '036E7331 076578616D706C65 03636F6D 00'],
  ['CNAME', 'a\\.b.example.', '03612E62 076578616D706C65 00'],
  ['PTR', 'sp\\032ace\\(1\\).', '09 73702061636528 3129 00'],
  ['CNAME', '.', '00'],
  ['MX', '10 mail.example.com.', '000A 046D61696C 076578616D706C65 03636F6D 00'],
  ['MX', '0 .', '0000 00'],
  ['TXT', '"v=spf1 -all" "second"', '0B763D73706631202D616C6C 067365636F6E64'],
  ['TXT', '""', '00'],
  ['TXT', '"a\\"b\\\\c\\010\\255~ ;"', '0A 6122625C630AFF7E203B'],
  ['TXT', `"${LONG_STRING}" "y"`, `FF${'78'.repeat(255)} 0179`],
  ['SRV', '10 60 5060 sip.example.com.', '000A 003C 13C4 03736970 076578616D706C65 03636F6D 00'],
  ['CAA', '0 issue "letsencrypt.org"', '00 05 6973737565 6C657473656E63727970742E6F7267'],
  ['CAA', '128 iodef "mailto:a@b"', '80 05 696F646566 6D61696C746F3A614062'],
  ['CAA', '0 issue ";"', '00 05 6973737565 3B'],
  [
    'NAPTR',
    '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .',
    '0064 000A 0155 07' +
      Buffer.from('E2U+sip').toString('hex') +
      '1B' +
      Buffer.from('!^.*$!sip:info@example.com!').toString('hex') +
      '00',
  ],
  ['SSHFP', '4 2 ABCDEF0123', '04 02 ABCDEF0123'],
  ['TLSA', '3 1 1 ABCDEF', '03 01 01 ABCDEF'],
  ['DS', '12345 13 2 ABCDEF', '3039 0D 02 ABCDEF'],
  [
    'SOA',
    'ns1.example.com. hostmaster.example.com. 2024010101 3600 900 1209600 300',
    '036E7331076578616D706C6503636F6D00 0A686F73746D6173746572076578616D706C6503636F6D00 78A3F175 00000E10 00000384 00127500 0000012C',
  ],
  ['TYPE65534', '\\# 3 ABCDEF', 'ABCDEF'],
  ['TYPE65534', '\\# 0', ''],
  ['HINFO', '\\# 4 01610162', '01610162'],
  ['MB', '\\# 4 02616200', '02616200'],
];

describe('rdata', () => {
  it.each(VECTORS)('%s %s <-> wire', (type, text, wire) => {
    expect(rdataToWire(type, text)).toEqual(hex(wire));
    expect(rdataFromWire(type, hex(wire))).toBe(text);
  });

  it.each([
    ['A', '192.0.2.01', /not an IPv4 address/],
    ['A', '192.0.2.256', /not an IPv4 address/],
    ['A', '192.0.2', /not an IPv4 address/],
    ['A', '192.0.2.1 192.0.2.2', /unexpected "192.0.2.2"/],
    ['A', '', /address missing/],
    ['AAAA', '2001:DB8::1', /not canonical: write 2001:db8::1/],
    ['AAAA', '2001:db8:0:0::1', /not canonical: write 2001:db8::1/],
    ['AAAA', '::ffff:192.0.2.1', /not canonical: write ::ffff:c000:201/],
    ['AAAA', '1::2::3', /not an IPv6 address/],
    ['AAAA', '1:2:3:4:5:6:7:8:9', /not an IPv6 address/],
    ['NS', 'ns1.example.com', /not absolute/],
    ['NS', 'NS1.example.com.', /not canonical: write ns1.example.com./],
    ['NS', 'a..example.', /empty label/],
    ['CNAME', `${'a'.repeat(64)}.example.`, /label longer than 63/],
    ['MX', '010 mail.example.com.', /decimal number/],
    ['MX', '10  mail.example.com.', /not canonical: write 10 mail.example.com./],
    ['MX', '70000 mail.example.com.', /from 0 to 65535/],
    ['MX', '10 mail.example.com. extra', /unexpected "extra"/],
    ['TXT', 'unquoted', /must be a "quoted string"/],
    ['TXT', '"a""b"', /no space after a quoted string/],
    ['TXT', '"\\;"', /not canonical: write ";"/],
    ['TXT', '"\\065"', /not canonical: write "A"/],
    ['TXT', '"é"', /\\DDD/],
    ['TXT', '"\\256"', /not a byte/],
    ['TXT', '"open', /unterminated/],
    ['TXT', `"${LONG_STRING}y"`, /longer than 255 bytes/],
    ['TXT', '', /string missing/],
    ['TXT', '"a" ', /not canonical: write "a"/],
    ['CAA', '0 issue letsencrypt.org', /value must be a "quoted string"/],
    ['CAA', '0 is-sue "x"', /not alphanumeric/],
    ['SSHFP', '4 2 abcdef', /not canonical: write 4 2 ABCDEF/],
    ['SSHFP', '4 2 ABC', /hexadecimal/],
    ['SSHFP', '256 2 AB', /from 0 to 255/],
    ['SOA', 'ns1. host. 4294967296 1 1 1 1', /serial must be a decimal number/],
    ['TYPE65534', '\\# 2 ABCDEF', /length 2 but 3 bytes/],
    ['TYPE65534', 'ABCDEF', /RFC 3597 form/],
    ['TYPE65534', '\\# 3 abcdef', /not canonical: write \\# 3 ABCDEF/],
    ['TYPE1', '192.0.2.1', /written A/],
    ['FOO', 'x', /unknown record type/],
  ])('rejects %s %j', (type, text, error) => {
    expect(() => rdataToWire(type, text)).toThrow(error);
  });

  it.each([
    ['A', '0102', /ends 2 bytes early/],
    ['A', '0102030405', /does not fill its RDLENGTH/],
    ['TXT', '', /ends 1 bytes early/],
    ['TXT', '0561', /ends 4 bytes early/],
    ['MX', '000AC002', /does not point backwards/],
    ['CAA', '0003612D62', /not alphanumeric/],
  ])('rejects %s wire %s', (type, wire, error) => {
    expect(() => rdataFromWire(type, hex(wire))).toThrow(error);
  });

  it('lowercases names read from the wire', () => {
    expect(rdataFromWire('NS', hex('034E5331 076578616D706C65 00'))).toBe('ns1.example.');
    expect(rdataFromWire('MB', hex('02414200'))).toBe('\\# 4 02616200');
  });
});
