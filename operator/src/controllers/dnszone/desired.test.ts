import { describe, expect, it } from '@jest/globals';
import type { DnsZone, DnsZoneRecord, GuestDomain, WebSite } from '../../api/types.generated.js';
import { desiredZone, soaRecord, type DesiredZone } from './desired.js';

const guest = (
  name: string,
  // What the GuestDomain controller publishes for a guest with the forward below and no address.
  addresses: { type: 'InternalIP' | 'HostForward'; address: string }[] = [
    { type: 'HostForward', address: '127.0.0.1:10053' },
  ],
): GuestDomain => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name, namespace: 'dns' },
  spec: {
    virtualHostRef: { name: 'local' },
    vcpus: 1,
    memoryMiB: 512,
    disk: { baseImage: 'debian-12-servirt.qcow2' },
    network: {
      mode: 'user',
      hostForwards: [
        { name: 'dns', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 10053, guestPort: 53 },
      ],
    },
  },
  status: { addresses },
});

const guests = new Map([
  ['ns1', guest('ns1', [{ type: 'InternalIP', address: '192.0.2.53' }])],
  ['ns2', guest('ns2', [{ type: 'InternalIP', address: '2001:db8::53' }])],
  ['web1', guest('web1')],
]);

const zone = (spec: Partial<DnsZone['spec']> = {}, meta: Partial<DnsZone['metadata']> = {}): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: {
    name: 'example-com',
    namespace: 'dns',
    uid: 'u1',
    creationTimestamp: '2026-11-27T10:00:00Z' as unknown as Date,
    ...meta,
  },
  spec: {
    origin: 'example.com',
    primary: { guestRef: { name: 'ns1' } },
    secondaries: [{ guestRef: { name: 'ns2' } }],
    defaultTTL: 3600,
    ...spec,
  },
});

const plan = (z: DnsZone, others: DnsZone[] = []) =>
  desiredZone(z, (name) => guests.get(name), [z, ...others]);
const valid = (z: DnsZone): DesiredZone => {
  const result = plan(z);
  if (result.kind !== 'valid') throw new Error(`${result.reason}: ${result.message}`);
  return result.zone;
};
const lines = (z: DesiredZone) => z.records.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.data}`);
const a = (name: string, value: string, ttl?: number): DnsZoneRecord => ({
  name,
  type: 'A',
  value,
  ...(ttl !== undefined && { ttl }),
});

describe('desiredZone', () => {
  it('derives the apex NS records and their glue from the primary and secondaries', () => {
    expect(lines(valid(zone({ records: [a('www', '192.0.2.80')] })))).toEqual([
      'example.com. 3600 NS ns1.example.com.',
      'example.com. 3600 NS ns2.example.com.',
      'ns1.example.com. 3600 A 192.0.2.53',
      'ns2.example.com. 3600 AAAA 2001:db8::53',
      'www.example.com. 3600 A 192.0.2.80',
    ]);
  });

  it('takes the apex NS records from the spec when it has them, and leaves out the derived ones', () => {
    const records = [{ name: '@', type: 'NS' as const, value: 'ns.elsewhere.test.' }];
    expect(lines(valid(zone({ records })))).toEqual(['example.com. 3600 NS ns.elsewhere.test.']);
  });

  it('publishes GuestDomains, with the forwarded address for a guest with no address of its own', () => {
    const z = zone({
      records: [{ name: '@', type: 'NS', value: 'ns1' }],
      recordsFrom: { guestDomains: [{ name: 'web1', recordName: 'www' }, { name: 'missing' }] },
    });
    expect(lines(valid(z))).toContain('www.example.com. 3600 A 127.0.0.1');
  });

  it('publishes the host names of the WebSites that name the zone, at every guest serving them', () => {
    const site = (name: string, zoneName: string, hostNames: string[]): WebSite => ({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'WebSite',
      metadata: { name, namespace: 'dns' },
      spec: {
        hostNames,
        guests: [{ name: 'ns1' }, { name: 'web1' }],
        content: { inline: {} },
        dnsZoneRef: { name: zoneName },
      },
    });
    const z = zone({ records: [{ name: '@', type: 'NS', value: 'ns1' }] });
    const result = desiredZone(
      z,
      (name) => guests.get(name),
      [z],
      [
        site('blog', 'example-com', ['blog.example.com', 'www.other.test']),
        site('shop', 'other-zone', ['shop.example.com']),
      ],
    );
    if (result.kind !== 'valid') throw new Error(result.message);
    expect(
      lines(result.zone).filter(
        (line) => line.startsWith('blog') || line.startsWith('shop') || line.includes('other'),
      ),
    ).toEqual(['blog.example.com. 3600 A 127.0.0.1', 'blog.example.com. 3600 A 192.0.2.53']);
    const off = zone({
      records: [{ name: '@', type: 'NS', value: 'ns1' }],
      recordsFrom: { webSites: false },
    });
    const none = desiredZone(
      off,
      (name) => guests.get(name),
      [off],
      [site('blog', 'example-com', ['blog.example.com'])],
    );
    expect(none.kind === 'valid' && lines(none.zone).some((line) => line.startsWith('blog'))).toBe(false);
  });

  it('lets a spec RRset win over a derived one at the same name and type', () => {
    const z = zone({ records: [a('ns1', '198.51.100.1')] });
    const records = lines(valid(z));
    expect(records).toContain('ns1.example.com. 3600 A 198.51.100.1');
    expect(records).not.toContain('ns1.example.com. 3600 A 192.0.2.53');
  });

  it('gives the SOA defaults under the origin', () => {
    const soa = valid(zone()).soa;
    expect(soaRecord(soa, 'example.com.', 5).data).toBe(
      'ns1.example.com. hostmaster.example.com. 5 3600 900 1209600 300',
    );
    expect(soa.ttl).toBe(3600);
  });

  it.each([
    ['a record twice', [a('www', '192.0.2.1'), a('www', '192.0.2.1')], 'DuplicateRecord'],
    ['one RRset with two TTLs', [a('www', '192.0.2.1', 60), a('www', '192.0.2.2', 300)], 'RRsetTTLMismatch'],
    [
      'a CNAME beside a derived glue record',
      [{ name: 'ns1', type: 'CNAME' as const, value: 'www' }],
      'CNAMEConflict',
    ],
    [
      'two CNAMEs at one name',
      [
        { name: 'x', type: 'CNAME' as const, value: 'a' },
        { name: 'x', type: 'CNAME' as const, value: 'b' },
      ],
      'CNAMEConflict',
    ],
  ])('rejects %s', (_what, records, reason) => {
    expect(plan(zone({ records: records as DnsZoneRecord[] }))).toMatchObject({ kind: 'invalid', reason });
  });

  it('rejects the later of two zones with one origin on a shared server', () => {
    const first = zone(
      {},
      { name: 'first', uid: 'u0', creationTimestamp: '2026-11-27T09:00:00Z' as unknown as Date },
    );
    const second = zone({ primary: { guestRef: { name: 'ns2' } }, secondaries: [] }, { name: 'second' });
    expect(plan(second, [first])).toMatchObject({ kind: 'invalid', reason: 'OriginConflict' });
    expect(plan(first, [second]).kind).toBe('valid');
  });
});
