import type { GuestDomain, GuestDomainNetworkHostForward } from '../../api/types.generated.js';
import { addressEndpoints, forwardedEndpoints } from '../../guest/access/endpoints.js';
import { zoneServerOf } from './servers.js';

const forwardsOn = (hostAddress: string): GuestDomainNetworkHostForward[] => [
  { name: 'ssh', protocol: 'tcp', hostAddress, hostPort: 10022, guestPort: 22 },
  { name: 'dns-udp', protocol: 'udp', hostAddress, hostPort: 10053, guestPort: 53 },
  { name: 'dns-tcp', protocol: 'tcp', hostAddress, hostPort: 10053, guestPort: 53 },
];

/** A GuestReady guest with the endpoints the GuestDomain controller publishes. */
const guestWith = (endpoints: NonNullable<GuestDomain['status']>['endpoints']) =>
  ({
    metadata: { name: 'ns1', namespace: 'dns' },
    // The spec says otherwise on purpose: the zone's servers come from status.endpoints only.
    spec: { network: { mode: 'user', hostForwards: forwardsOn('192.0.2.99') } },
    status: { endpoints, conditions: [{ type: 'GuestReady', status: 'True' }] },
  }) as unknown as GuestDomain;

describe('zoneServerOf', () => {
  it('reaches a guest of a local host through its loopback forwards; its peers through slirp', () => {
    const guest = guestWith(forwardedEndpoints(forwardsOn('127.0.0.1'), 'qemu:///system'));
    expect(zoneServerOf(guest, 'ns1')).toEqual({
      kind: 'found',
      server: {
        guest: 'ns1',
        ssh: { host: '127.0.0.1', port: 10022 },
        dns: { host: '127.0.0.1', port: 10053 },
        peer: { address: '10.0.2.2', port: 10053 },
      },
    });
  });

  it("reaches a guest of a remote host through forwards on that host's own address, peers too", () => {
    const uri = 'qemu+ssh://root@198.51.100.1:2222/system';
    const guest = guestWith(forwardedEndpoints(forwardsOn('198.51.100.1'), uri));
    expect(zoneServerOf(guest, 'ns1')).toEqual({
      kind: 'found',
      server: {
        guest: 'ns1',
        ssh: { host: '198.51.100.1', port: 10022 },
        dns: { host: '198.51.100.1', port: 10053 },
        peer: { address: '198.51.100.1', port: 10053 },
      },
    });
  });

  it('reaches a bridged guest at its own address, from the operator and from its peers', () => {
    expect(zoneServerOf(guestWith(addressEndpoints('192.0.2.10')), 'ns1')).toMatchObject({
      kind: 'found',
      server: { dns: { host: '192.0.2.10', port: 53 }, peer: { address: '192.0.2.10', port: 53 } },
    });
  });

  it("says a remote host's loopback forwards cannot be reached", () => {
    const guest = guestWith(forwardedEndpoints(forwardsOn('127.0.0.1'), 'qemu+ssh://root@hv1/system'));
    expect(zoneServerOf(guest, 'ns1')).toMatchObject({ kind: 'problem', reason: 'GuestUnreachable' });
    expect(zoneServerOf(guestWith(undefined), 'ns1')).toMatchObject({ reason: 'GuestUnreachable' });
  });
});
