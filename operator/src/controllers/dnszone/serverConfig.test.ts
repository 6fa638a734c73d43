import { describe, expect, it } from '@jest/globals';
import type { DnsZone } from '../../api/types.generated.js';
import type { TsigKeyConfig } from '../../guest/bind/model.js';
import { catalogZoneName, serverConfigFor } from './serverConfig.js';

const zone = (uid: string, primary: string, secondaries: string[], deleting = false): DnsZone => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'DnsZone',
  metadata: {
    name: uid,
    namespace: 'dns',
    uid,
    ...(deleting && { deletionTimestamp: '2026-11-27T10:00:00Z' as unknown as Date }),
  },
  spec: {
    origin: `${uid}.test`,
    primary: { guestRef: { name: primary } },
    secondaries: secondaries.map((name) => ({ guestRef: { name } })),
  },
});
const key = (name: string): TsigKeyConfig => ({ name, algorithm: 'hmac-sha256', secret: 'c2VjcmV0' });
const inputs = (zones: DnsZone[]) => ({
  zones,
  zoneKeys: new Map(zones.map((z) => [z.metadata.uid ?? '', key(`${z.metadata.uid}-key`)])),
  transferKeys: new Map([
    ['ns1', key('servirt-transfer.ns1')],
    ['ns9', key('servirt-transfer.ns9')],
  ]),
  peers: new Map([
    ['ns1', { address: '10.0.2.2', port: 10053 }],
    ['ns2', { address: '10.0.2.2', port: 20053 }],
    ['ns3', { address: '10.0.2.2', port: 30053 }],
    ['ns9', { address: '10.0.2.2', port: 40053 }],
  ]),
});

describe('serverConfigFor', () => {
  const zones = [
    zone('a', 'ns1', ['ns2']),
    zone('b', 'ns1', ['ns2', 'ns3']),
    zone('c', 'ns9', ['ns2']),
    zone('d', 'ns1', ['ns3'], true),
  ];

  it('gives a primary its zones keys, its transfer key and one catalog per secondary', () => {
    const config = serverConfigFor('ns1', inputs(zones));
    expect(config.keys.map((k) => k.name)).toEqual(['a-key', 'b-key', 'servirt-transfer.ns1']);
    expect(config.servedCatalogs).toEqual([
      {
        zone: catalogZoneName('ns1', 'ns2'),
        transferKey: 'servirt-transfer.ns1',
        notify: [{ address: '10.0.2.2', port: 20053 }],
      },
      {
        zone: catalogZoneName('ns1', 'ns3'),
        transferKey: 'servirt-transfer.ns1',
        notify: [{ address: '10.0.2.2', port: 30053 }],
      },
    ]);
    expect(config.followedCatalogs).toEqual([]);
  });

  it('makes a secondary follow the catalog of each of its primaries, with their transfer keys only', () => {
    const config = serverConfigFor('ns2', inputs(zones));
    expect(config.keys.map((k) => k.name)).toEqual(['servirt-transfer.ns1', 'servirt-transfer.ns9']);
    expect(config.followedCatalogs).toEqual([
      {
        zone: catalogZoneName('ns1', 'ns2'),
        primary: { address: '10.0.2.2', port: 10053 },
        transferKey: 'servirt-transfer.ns1',
      },
      {
        zone: catalogZoneName('ns9', 'ns2'),
        primary: { address: '10.0.2.2', port: 40053 },
        transferKey: 'servirt-transfer.ns9',
      },
    ]);
    expect(config.servedCatalogs).toEqual([]);
  });

  it('leaves out zones being deleted, and a catalog whose primary is not reachable yet', () => {
    const withoutPeer = { ...inputs(zones), peers: new Map([['ns3', { address: '10.0.2.2', port: 30053 }]]) };
    expect(serverConfigFor('ns3', withoutPeer).followedCatalogs).toEqual([]);
    expect(serverConfigFor('ns3', inputs([zones[3] as DnsZone])).followedCatalogs).toEqual([]);
    expect(serverConfigFor('web1', inputs(zones))).toEqual({
      keys: [],
      servedCatalogs: [],
      followedCatalogs: [],
    });
  });
});

describe('catalogZoneName', () => {
  it('names the pair readably, hashing names that are not one short label', () => {
    expect(catalogZoneName('ns1', 'ns2')).toBe('ns2.ns1.catalog.servirt.invalid');
    expect(catalogZoneName('ns1', 'a.b')).toMatch(/^h-[0-9a-f]{20}\.ns1\.catalog\.servirt\.invalid$/);
    expect(catalogZoneName('ns1', 'a.b')).not.toBe(catalogZoneName('ns1.a', 'b'));
  });
});
