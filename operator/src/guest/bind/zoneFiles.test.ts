import { describe, expect, it } from '@jest/globals';
import type { ResourceRecord } from '../../dns/record.js';
import { catalogMemberName, catalogZoneFile, initialZoneFile } from './zoneFiles.js';

const soa: ResourceRecord = {
  name: 'example.com.',
  type: 'SOA',
  ttl: 3600,
  data: 'ns1.example.com. hostmaster.example.com. 1700000000 3600 900 1209600 300',
};

describe('initialZoneFile', () => {
  it('writes the SOA, then one record per line with absolute names and each its TTL', () => {
    const records: ResourceRecord[] = [
      { name: 'example.com.', type: 'NS', ttl: 3600, data: 'ns1.example.com.' },
      { name: 'www.example.com.', type: 'TXT', ttl: 60, data: '"v=spf1 -all" "a;b"' },
    ];
    expect(initialZoneFile('example.com', soa, records)).toBe(
      '; example.com. as servirt created it; BIND keeps it up to date from here on.\n' +
        'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1700000000 3600 900 1209600 300\n' +
        'example.com. 3600 IN NS ns1.example.com.\n' +
        'www.example.com. 60 IN TXT "v=spf1 -all" "a;b"\n',
    );
  });

  it.each<[string, ResourceRecord, ResourceRecord[], RegExp]>([
    ['an SOA of another name', { ...soa, name: 'other.com.' }, [], /must be an SOA record at example.com./],
    [
      'a record outside the zone',
      soa,
      [{ name: 'wwwexample.com.', type: 'A', ttl: 1, data: '192.0.2.1' }],
      /outside/,
    ],
    [
      'a record spanning lines',
      soa,
      [{ name: 'example.com.', type: 'TXT', ttl: 1, data: '"a"\n$INCLUDE /etc/shadow' }],
      /spans lines/,
    ],
  ])('refuses %s', (_, start, records, expected) => {
    expect(() => initialZoneFile('example.com.', start, records)).toThrow(expected);
  });
});

describe('catalog zones', () => {
  it('starts a catalog empty: SOA, NS invalid. and schema version 2', () => {
    expect(catalogZoneFile('Cat.Example')).toBe(
      '; catalog zone cat.example. (RFC 9432), made by servirt; members are added and removed by UPDATE.\n' +
        'cat.example. 0 IN SOA invalid. invalid. 1 300 60 2419200 0\n' +
        'cat.example. 0 IN NS invalid.\n' +
        'version.cat.example. 0 IN TXT "2"\n',
    );
  });

  it("names a member by the SHA-1 of its wire-format name, as BIND's manual does", () => {
    expect(catalogMemberName('catalog.example', 'domain.example.')).toBe(
      '5960775ba382e7a4e09263fc06e7c00569b6a05c.zones.catalog.example.',
    );
    expect(catalogMemberName('catalog.example.', 'Domain.Example')).toBe(
      catalogMemberName('catalog.example', 'domain.example.'),
    );
  });
});
