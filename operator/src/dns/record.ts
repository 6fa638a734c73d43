/**
 * One resource record in the form servirt compares records in: the operator's desired records,
 * the records read back from a server by AXFR and the records of an imported zone file all
 * meet here, so equal records are equal strings.
 *
 * - name: absolute, lowercase, with the trailing dot (`www.example.com.`; `*.example.com.`).
 * - type: the mnemonic (`A`, `TXT`, …); types without one are `TYPE<n>` (RFC 3597).
 * - ttl: seconds.
 * - data: the RDATA in canonical presentation format (see CANONICAL_DATA below).
 */
export interface ResourceRecord {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

/** The record types a DnsZone manages; every other type at a name is left to BIND (SOA, DNSSEC). */
export const MANAGED_TYPES = [
  'A',
  'AAAA',
  'CNAME',
  'MX',
  'NS',
  'TXT',
  'SRV',
  'CAA',
  'PTR',
  'NAPTR',
  'SSHFP',
  'TLSA',
  'DS',
] as const;
export type ManagedType = (typeof MANAGED_TYPES)[number];

/*
 * CANONICAL_DATA, per type (domain names always absolute, lowercase, trailing dot; numbers in
 * decimal without leading zeros; hexadecimal in UPPERCASE without spaces):
 *   A      192.0.2.1
 *   AAAA   RFC 5952 form: lowercase, longest run of zero groups as ::, e.g. 2001:db8::1
 *   NS, CNAME, PTR   ns1.example.com.
 *   MX     10 mail.example.com.
 *   TXT    one or more character-strings, each in double quotes, separated by one space:
 *          "v=spf1 -all" "second". Inside the quotes `"` is \" and `\` is \\; bytes outside
 *          0x20–0x7e are \DDD (three decimal digits). Empty string: "".
 *   SRV    10 60 5060 sip.example.com.
 *   CAA    0 issue "letsencrypt.org"   (value escaped like a TXT string)
 *   NAPTR  100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
 *          (flags, service and regexp quoted and escaped like TXT; replacement a name, `.` for root)
 *   SSHFP  4 2 ABCDEF…
 *   TLSA   3 1 1 ABCDEF…
 *   DS     12345 13 2 ABCDEF…
 *   SOA    ns1.example.com. hostmaster.example.com. 2024010101 3600 900 1209600 300
 *   other  \# <length> <HEX>   (RFC 3597; `\# 0` when empty)
 */

/** `name type ttl data`: one line per record, the key the diff works with. */
export function recordKey(record: ResourceRecord): string {
  return `${record.name} ${record.ttl} ${record.type} ${record.data}`;
}

/** Records sorted by name, type and data, for stable output. */
export function sortRecords(records: readonly ResourceRecord[]): ResourceRecord[] {
  return [...records].sort(
    (a, b) => compare(a.name, b.name) || compare(a.type, b.type) || compare(a.data, b.data) || a.ttl - b.ttl,
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
