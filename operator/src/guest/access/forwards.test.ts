import type { GuestDomain } from '../../api/types.generated.js';
import { forwardEndpoint, reachableForward, uriHost } from './forwards.js';

const forward = (hostAddress?: string) => ({
  name: 'ssh',
  protocol: 'tcp' as const,
  hostPort: 10022,
  guestPort: 22,
  ...(hostAddress !== undefined && { hostAddress }),
});

describe('forwardEndpoint', () => {
  it.each([
    // A local host: as written, a wildcard as loopback.
    ['qemu:///system', undefined, '127.0.0.1'],
    ['qemu:///system', '127.0.0.1', '127.0.0.1'],
    ['qemu:///system', '0.0.0.0', '127.0.0.1'],
    ['qemu:///system', '198.51.100.1', '198.51.100.1'],
    // A remote host: its own address, the URI's host for a wildcard, never its loopback.
    ['qemu+ssh://root@198.51.100.1:2222/system', '198.51.100.1', '198.51.100.1'],
    ['qemu+ssh://root@hv1.example/system', '0.0.0.0', 'hv1.example'],
    ['qemu+ssh://root@[2001:db8::1]:22/system', '::', '2001:db8::1'],
    ['qemu+ssh://root@hv1.example/system', '127.0.0.1', undefined],
    ['qemu+ssh://root@hv1.example/system', undefined, undefined],
    ['qemu+tls://hv1.example/system', '::1', undefined],
  ])('on %s, a forward on %s is reached at %s', (uri, hostAddress, host) => {
    expect(forwardEndpoint(forward(hostAddress), uri)).toEqual(
      host === undefined ? undefined : { host, port: 10022 },
    );
  });
});

describe('reachableForward', () => {
  it('takes the first forward of the port and protocol that can be reached', () => {
    const guest = {
      metadata: { name: 'g' },
      spec: {
        network: {
          hostForwards: [
            { ...forward('127.0.0.1'), hostPort: 1 },
            { ...forward('198.51.100.1'), protocol: 'udp' as const, hostPort: 2 },
            { ...forward('198.51.100.1'), hostPort: 3 },
          ],
        },
      },
    } as unknown as GuestDomain;
    expect(reachableForward(guest, 'qemu+ssh://root@198.51.100.1/system', 22)).toEqual({
      host: '198.51.100.1',
      port: 3,
    });
    expect(reachableForward(guest, 'qemu:///system', 22)).toEqual({ host: '127.0.0.1', port: 1 });
    expect(reachableForward(guest, 'qemu:///system', 80)).toBeUndefined();
  });
});

describe('uriHost', () => {
  it.each([
    ['qemu+ssh://root@hv1:22/system', 'hv1'],
    ['xen+ssh://hv2/system', 'hv2'],
    ['qemu:///system', undefined],
    ['not a uri', undefined],
  ])('%s -> %s', (uri, host) => expect(uriHost(uri)).toBe(host));
});
