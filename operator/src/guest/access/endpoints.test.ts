import type { GuestDomain } from '../../api/types.generated.js';
import {
  addressEndpoints,
  forwardedEndpoints,
  guestsEndpoint,
  operatorEndpoint,
  operatorEndpointForPort,
  publishedAddresses,
  SLIRP_HOST,
} from './endpoints.js';
import { hostForwardAddresses, type HostForward } from './forwards.js';

const forwards: HostForward[] = [
  { name: 'ssh', protocol: 'tcp', hostPort: 10022, guestPort: 22 },
  { name: 'dns', protocol: 'tcp', hostPort: 10053, guestPort: 53 },
  { name: 'dns-udp', protocol: 'udp', hostPort: 10053, guestPort: 53 },
  { name: 'http', protocol: 'tcp', hostAddress: '198.51.100.1', hostPort: 10080, guestPort: 80 },
];

function guestWith(status: GuestDomain['status']): GuestDomain {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'GuestDomain',
    metadata: { name: 'ns1', namespace: 'dns' },
    spec: { virtualHostRef: { name: 'local' }, vcpus: 1, memoryMiB: 512, disk: { baseImage: 'b.qcow2' } },
    ...(status && { status }),
  };
}

describe('forwardedEndpoints', () => {
  it('on a local host: the operator at the forward, other guests through slirp for loopback forwards', () => {
    const endpoints = forwardedEndpoints(forwards, 'qemu:///system');
    expect(endpoints).toEqual([
      {
        service: 'ssh',
        guestPort: 22,
        source: 'HostForward',
        fromOperator: { address: '127.0.0.1', port: 10022 },
        fromGuests: { address: SLIRP_HOST, port: 10022 },
      },
      {
        service: 'dns',
        guestPort: 53,
        source: 'HostForward',
        fromOperator: { address: '127.0.0.1', port: 10053 },
        fromGuests: { address: SLIRP_HOST, port: 10053 },
      },
      {
        service: 'http',
        guestPort: 80,
        source: 'HostForward',
        fromOperator: { address: '198.51.100.1', port: 10080 },
        fromGuests: { address: '198.51.100.1', port: 10080 },
      },
    ]);
  });

  it("on a remote host: nothing of its loopback, its own address for everyone, a wildcard at the URI's host", () => {
    const remote = forwardedEndpoints(
      [
        ...forwards,
        { name: 'https', protocol: 'tcp', hostAddress: '0.0.0.0', hostPort: 10443, guestPort: 443 },
      ],
      'qemu+ssh://root@hv1.example/system',
    );
    expect(remote.map((e) => e.service)).toEqual(['http', 'https']);
    expect(remote[1]).toMatchObject({
      fromOperator: { address: 'hv1.example', port: 10443 },
      fromGuests: { address: 'hv1.example', port: 10443 },
    });
  });

  it('publishes DNS only where UDP and TCP share one address and port', () => {
    const tcpOnly = forwards.filter((f) => f.name !== 'dns-udp');
    expect(forwardedEndpoints(tcpOnly, 'qemu:///system').map((e) => e.service)).toEqual(['ssh', 'http']);
    const split = [...tcpOnly, { name: 'dns-udp', protocol: 'udp' as const, hostPort: 10054, guestPort: 53 }];
    expect(forwardedEndpoints(split, 'qemu:///system').map((e) => e.service)).toEqual(['ssh', 'http']);
  });
});

describe('addressEndpoints', () => {
  it('every service at the address, the same for the operator and for guests', () => {
    const endpoints = addressEndpoints('192.0.2.10');
    expect(endpoints.map((e) => [e.service, e.fromOperator?.port, e.fromGuests?.address])).toEqual([
      ['ssh', 22, '192.0.2.10'],
      ['dns', 53, '192.0.2.10'],
      ['http', 80, '192.0.2.10'],
      ['https', 443, '192.0.2.10'],
    ]);
    expect(addressEndpoints(undefined)).toEqual([]);
  });
});

describe('readers', () => {
  const forwarded = guestWith({
    addresses: hostForwardAddresses(forwards),
    endpoints: forwardedEndpoints(forwards, 'qemu:///system'),
  });
  const bridged = guestWith({
    addresses: [{ type: 'InternalIP', address: '192.0.2.10', source: 'Static' }],
    endpoints: addressEndpoints('192.0.2.10'),
  });

  it('read the published endpoints, and nothing for a guest without them', () => {
    expect(operatorEndpoint(forwarded, 'dns')).toEqual({ host: '127.0.0.1', port: 10053 });
    expect(guestsEndpoint(forwarded, 'dns')).toEqual({ host: SLIRP_HOST, port: 10053 });
    expect(operatorEndpoint(forwarded, 'https')).toBeUndefined();
    expect(operatorEndpoint(guestWith(undefined), 'ssh')).toBeUndefined();
  });

  it('reach another port only at an address of the guest', () => {
    expect(operatorEndpointForPort(forwarded, 80)).toEqual({ host: '198.51.100.1', port: 10080 });
    expect(operatorEndpointForPort(forwarded, 8080)).toBeUndefined();
    expect(operatorEndpointForPort(bridged, 8080)).toEqual({ host: '192.0.2.10', port: 8080 });
  });

  it('publish own addresses, else the forwards’ host addresses without wildcards', () => {
    expect(publishedAddresses(bridged)).toEqual(['192.0.2.10']);
    expect(publishedAddresses(forwarded)).toEqual(['127.0.0.1', '198.51.100.1']);
    const wildcardAndV6 = guestWith({
      addresses: hostForwardAddresses([
        { name: 'a', protocol: 'tcp', hostAddress: '0.0.0.0', hostPort: 1, guestPort: 22 },
        { name: 'b', protocol: 'tcp', hostAddress: '2001:db8::1', hostPort: 2, guestPort: 53 },
      ]),
    });
    expect(wildcardAndV6.status?.addresses?.[1]?.address).toBe('[2001:db8::1]:2');
    expect(publishedAddresses(wildcardAndV6)).toEqual(['2001:db8::1']);
  });
});
