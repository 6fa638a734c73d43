// example.test: one record of every managed type (and then some: a long TXT, escapes, mixed case,
// an RFC 3597 type) as a zone file, and the records a transfer must return for it, canonical.
import type { ResourceRecord } from '../../../operator/src/dns/record.js';

export const rr = (name: string, type: string, data: string, ttl = 300): ResourceRecord => ({
  name,
  type,
  ttl,
  data,
});
const hex32 = (byte: string) => byte.repeat(32);
const LONG_A = 'a'.repeat(255);
export const EXAMPLE_ZONE_FILE = `$TTL 300
@          IN SOA ns1 hostmaster 2024010101 3600 900 1209600 300
@          NS    ns1
@          MX    10 mail
@          CAA   0 issue "letsencrypt.org"
@          CAA   128 iodef "mailto:security@example.test"
ns1        A     192.0.2.53
ns1        AAAA  2001:DB8:0:0:1:0:0:53
mail 3600  A     192.0.2.25
www        A     192.0.2.1
MiXeD      A     192.0.2.9
alias      CNAME www
_sip._tcp  SRV   10 60 5060 sip.example.test.
naptr      NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.test!" .
1.2.0.192  PTR   www
ssh        SSHFP 4 2 ${hex32('ab')}
_443._tcp  TLSA  3 1 1 ${hex32('cd')}
child      NS    ns1.child
ns1.child  A     192.0.2.54
child      DS    12345 13 2 ${hex32('ef')}
txt        TXT   "v=spf1 -all" "quote\\" backslash\\\\ semi; \\195\\169 tab\\009"
long       TXT   "${LONG_A}" "${'b'.repeat(60)}"
esc\\.aped TXT   "dotted label"
unknown    TYPE65534 \\# 3 abcdef
`;
const Z = 'example.test.';
export const EXAMPLE_RECORDS: ResourceRecord[] = [
  rr(Z, 'SOA', `ns1.${Z} hostmaster.${Z} 2024010101 3600 900 1209600 300`),
  rr(Z, 'NS', `ns1.${Z}`),
  rr(Z, 'MX', `10 mail.${Z}`),
  rr(Z, 'CAA', '0 issue "letsencrypt.org"'),
  rr(Z, 'CAA', '128 iodef "mailto:security@example.test"'),
  rr(`ns1.${Z}`, 'A', '192.0.2.53'),
  rr(`ns1.${Z}`, 'AAAA', '2001:db8::1:0:0:53'),
  rr(`mail.${Z}`, 'A', '192.0.2.25', 3600),
  rr(`www.${Z}`, 'A', '192.0.2.1'),
  rr(`mixed.${Z}`, 'A', '192.0.2.9'),
  rr(`alias.${Z}`, 'CNAME', `www.${Z}`),
  rr(`_sip._tcp.${Z}`, 'SRV', `10 60 5060 sip.${Z}`),
  rr(`naptr.${Z}`, 'NAPTR', '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.test!" .'),
  rr(`1.2.0.192.${Z}`, 'PTR', `www.${Z}`),
  rr(`ssh.${Z}`, 'SSHFP', `4 2 ${hex32('AB')}`),
  rr(`_443._tcp.${Z}`, 'TLSA', `3 1 1 ${hex32('CD')}`),
  rr(`child.${Z}`, 'NS', `ns1.child.${Z}`),
  rr(`ns1.child.${Z}`, 'A', '192.0.2.54'),
  rr(`child.${Z}`, 'DS', `12345 13 2 ${hex32('EF')}`),
  rr(`txt.${Z}`, 'TXT', '"v=spf1 -all" "quote\\" backslash\\\\ semi; \\195\\169 tab\\009"'),
  rr(`long.${Z}`, 'TXT', `"${LONG_A}" "${'b'.repeat(60)}"`),
  rr(`esc\\.aped.${Z}`, 'TXT', '"dotted label"'),
  rr(`unknown.${Z}`, 'TYPE65534', '\\# 3 ABCDEF'),
];
