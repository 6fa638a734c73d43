import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { zoneServerOf } from './servers.js';

const host = (uri: string) => ({ spec: { provider: 'libvirt', libvirt: { uri } } }) as unknown as VirtualHost;
const guestForwardingOn = (hostAddress: string) =>
  ({
    metadata: { name: 'ns1', namespace: 'dns' },
    spec: {
      network: {
        hostForwards: [
          { name: 'ssh', protocol: 'tcp', hostAddress, hostPort: 10022, guestPort: 22 },
          { name: 'dns-udp', protocol: 'udp', hostAddress, hostPort: 10053, guestPort: 53 },
          { name: 'dns-tcp', protocol: 'tcp', hostAddress, hostPort: 10053, guestPort: 53 },
        ],
      },
    },
    status: { conditions: [{ type: 'GuestReady', status: 'True' }] },
  }) as unknown as GuestDomain;

describe('zoneServerOf', () => {
  it('reaches a guest of a local host through its loopback forwards; its peers through slirp', () => {
    expect(zoneServerOf(guestForwardingOn('127.0.0.1'), host('qemu:///system'), 'ns1')).toEqual({
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
    expect(zoneServerOf(guestForwardingOn('198.51.100.1'), host(uri), 'ns1')).toEqual({
      kind: 'found',
      server: {
        guest: 'ns1',
        ssh: { host: '198.51.100.1', port: 10022 },
        dns: { host: '198.51.100.1', port: 10053 },
        peer: { address: '198.51.100.1', port: 10053 },
      },
    });
  });

  it("says a remote host's loopback forwards cannot be reached", () => {
    const found = zoneServerOf(guestForwardingOn('127.0.0.1'), host('qemu+ssh://root@hv1/system'), 'ns1');
    expect(found).toMatchObject({ kind: 'problem', reason: 'GuestUnreachable' });
  });
});
