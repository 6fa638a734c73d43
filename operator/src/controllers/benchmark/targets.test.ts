import { describe, expect, it } from '@jest/globals';
import type {
  Benchmark,
  BenchmarkTarget,
  GuestDomain,
  GuestDomainNetworkHostForward,
  GuestDomainStatusAddress,
  VirtualHost,
} from '../../api/types.generated.js';
import { addressEndpoints, forwardedEndpoints } from '../../guest/access/endpoints.js';
import { planTargets } from './targets.js';

const bench = (type: Benchmark['spec']['type'], targets: BenchmarkTarget[], path?: string): Benchmark => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name: 'b', namespace: 'ns', uid: 'u1', generation: 1 },
  spec: { type, targets, ...(path && { http: { path } }) },
});

const host = (name: string, uri: string): VirtualHost => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'VirtualHost',
  metadata: { name, namespace: 'ns' },
  spec: { provider: 'libvirt', libvirt: { uri, hypervisor: 'qemu' } },
});

const hosts = new Map([
  ['local', host('local', 'qemu:///system')],
  ['remote', host('remote', 'qemu+ssh://h/system')],
]);

/** The endpoints the GuestDomain controller publishes for these forwards or this address. */
function endpointsFor(o: GuestOptions) {
  const own = (o.addresses ?? []).find((a) => a.type !== 'HostForward')?.address;
  if (own) return addressEndpoints(own);
  return forwardedEndpoints(o.forwards ?? [], hosts.get(o.host ?? 'local')?.spec.libvirt?.uri ?? '');
}

interface GuestOptions {
  host?: string;
  ready?: boolean;
  deleting?: boolean;
  forwards?: GuestDomainNetworkHostForward[];
  addresses?: GuestDomainStatusAddress[];
}

const guest = (name: string, o: GuestOptions = {}): GuestDomain => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: {
    name,
    namespace: 'ns',
    ...(o.deleting && { deletionTimestamp: '2026-11-27T10:00:00Z' as unknown as Date }),
  },
  spec: {
    virtualHostRef: { name: o.host ?? 'local' },
    vcpus: 1,
    memoryMiB: 512,
    disk: { baseImage: 'debian-12-servirt.qcow2' },
    network: { mode: 'user', hostForwards: o.forwards ?? [] },
  },
  status: {
    addresses: o.addresses ?? [],
    endpoints: endpointsFor(o),
    conditions: [
      {
        type: 'GuestReady',
        status: (o.ready ?? true) ? 'True' : 'False',
        reason: 'x',
        message: '',
        lastTransitionTime: '2026-11-27T10:00:00Z',
      },
    ],
  },
});

const fwd = (
  guestPort: number,
  hostPort: number,
  protocol: 'tcp' | 'udp' = 'tcp',
): GuestDomainNetworkHostForward => ({
  name: `p${guestPort}${protocol}`,
  protocol,
  hostPort,
  guestPort,
});

const plan = (benchmark: Benchmark, guests: GuestDomain[] = []) =>
  planTargets(benchmark, (name) => guests.find((g) => g.metadata.name === name));

const onGuest = (type: Benchmark['spec']['type'], g: GuestDomain, port?: number) =>
  plan(
    bench(type, [
      { name: 't', kind: 'guestDomain', guestRef: { name: g.metadata.name ?? '' }, ...(port && { port }) },
    ]),
    [g],
  );

describe('planTargets: native, url and address targets', () => {
  it.each([
    ['dns', { name: 'n', kind: 'native' }, { name: 'n', kind: 'native' }],
    ['http', { name: 'u', kind: 'url', url: 'http://x/' }, { name: 'u', kind: 'url', url: 'http://x/' }],
    [
      'dns',
      { name: 'a', kind: 'address', address: '192.0.2.1' },
      { name: 'a', kind: 'address', endpoint: { host: '192.0.2.1', port: 53 } },
    ],
    [
      'dns',
      { name: 'a', kind: 'address', address: '192.0.2.1', port: 5353 },
      { name: 'a', kind: 'address', endpoint: { host: '192.0.2.1', port: 5353 } },
    ],
    [
      'http',
      { name: 'a', kind: 'address', address: '192.0.2.1' },
      { name: 'a', kind: 'address', endpoint: { host: '192.0.2.1', port: 80 }, url: 'http://192.0.2.1:80/' },
    ],
    [
      'http',
      { name: 'a', kind: 'address', address: '2001:db8::1', port: 8080 },
      {
        name: 'a',
        kind: 'address',
        endpoint: { host: '2001:db8::1', port: 8080 },
        url: 'http://[2001:db8::1]:8080/',
      },
    ],
  ] as [Benchmark['spec']['type'], BenchmarkTarget, unknown][])('%s %j', (type, target, want) => {
    expect(plan(bench(type, [target]))).toEqual({ targets: [want], secretEnv: [] });
  });

  it('builds the http url with spec.http.path', () => {
    const b = bench('http', [{ name: 'a', kind: 'address', address: 'web', port: 8080 }], '/index.html');
    expect(plan(b).targets[0]?.url).toBe('http://web:8080/index.html');
  });
});

describe('planTargets: guestDomain targets that cannot be measured', () => {
  it.each([
    ['missing guest', [], 'GuestNotFound'],
    ['guest not ready', [guest('g', { ready: false })], 'GuestNotReady'],
    ['guest being deleted', [guest('g', { deleting: true })], 'GuestDeleting'],
    ['no forward and no address', [guest('g')], 'GuestUnreachable'],
    ['udp forward only', [guest('g', { forwards: [fwd(53, 10053, 'udp')] })], 'GuestUnreachable'],
    [
      'forward on a remote host',
      [guest('g', { host: 'remote', forwards: [fwd(53, 10053)] })],
      'GuestUnreachable',
    ],
  ])('%s → %s', (_, guests, reason) => {
    const b = bench('dns', [{ name: 't', kind: 'guestDomain', guestRef: { name: 'g' } }]);
    const { targets, secretEnv } = plan(b, guests);
    expect(targets).toEqual([
      {
        name: 't',
        kind: 'guestDomain',
        unavailable: { reason, message: expect.stringContaining('GuestDomain g') },
      },
    ]);
    expect(secretEnv).toEqual([]);
  });

  it.each(['cpu', 'memory'] as const)(
    '%s on a remote host without an address of the guest → GuestUnreachable',
    (type) => {
      const g = guest('g', { host: 'remote', forwards: [fwd(22, 2222)] });
      const { targets, secretEnv } = onGuest(type, g);
      expect(targets[0]?.unavailable?.reason).toBe('GuestUnreachable');
      expect(secretEnv).toEqual([]);
    },
  );

  it.each(['cpu', 'memory'] as const)('%s on a remote host: SSH to the guest own address', (type) => {
    const g = guest('g', {
      host: 'remote',
      forwards: [fwd(22, 2222)],
      addresses: [{ type: 'InternalIP', address: '10.0.0.5' }],
    });
    expect(onGuest(type, g).targets[0]?.ssh).toMatchObject({ host: '10.0.0.5', port: 22 });
  });
});

describe('planTargets: reachable guestDomain targets', () => {
  it('dns through the forwards of port 53 on a local host', () => {
    const g = guest('g', { forwards: [fwd(22, 2222), fwd(53, 10053), fwd(53, 10053, 'udp')] });
    expect(onGuest('dns', g).targets).toEqual([
      { name: 't', kind: 'guestDomain', endpoint: { host: '127.0.0.1', port: 10053 } },
    ]);
  });

  it('uses the forward host address when set', () => {
    const g = guest('g', {
      forwards: [
        { ...fwd(53, 10053), hostAddress: '192.0.2.9' },
        { ...fwd(53, 10053, 'udp'), hostAddress: '192.0.2.9' },
      ],
    });
    expect(onGuest('dns', g).targets[0]?.endpoint).toEqual({ host: '192.0.2.9', port: 10053 });
  });

  it.each([
    ['InternalIP', 'InternalIP'],
    ['ExternalIP', 'ExternalIP'],
  ] as const)('dns on a remote host through the %s address', (_, type) => {
    const g = guest('g', {
      host: 'remote',
      forwards: [fwd(53, 10053)],
      addresses: [{ type, address: '10.0.0.5' }],
    });
    expect(onGuest('dns', g).targets[0]).toEqual({
      name: 't',
      kind: 'guestDomain',
      endpoint: { host: '10.0.0.5', port: 53 },
    });
  });

  it('http through a forward gets the url; the target port picks the forward', () => {
    const g = guest('g', { forwards: [fwd(80, 10080), fwd(8080, 18080)] });
    expect(onGuest('http', g).targets[0]).toMatchObject({
      endpoint: { host: '127.0.0.1', port: 10080 },
      url: 'http://127.0.0.1:10080/',
    });
    expect(onGuest('http', g, 8080).targets[0]).toMatchObject({ url: 'http://127.0.0.1:18080/' });
  });

  it.each(['cpu', 'memory'] as const)('%s over ssh with keys from the guest Secret', (type) => {
    const b = bench(type, [
      { name: 'native', kind: 'native' },
      { name: 'vm', kind: 'guestDomain', guestRef: { name: 'g' } },
    ]);
    const { targets, secretEnv } = plan(b, [guest('g', { forwards: [fwd(22, 2222)] })]);
    expect(targets[1]).toEqual({
      name: 'vm',
      kind: 'guestDomain',
      ssh: {
        host: '127.0.0.1',
        port: 2222,
        username: 'root',
        privateKeyEnv: 'SERVIRT_TARGET_1_CLIENT_KEY',
        hostKeyEnv: 'SERVIRT_TARGET_1_HOST_KEY',
      },
    });
    expect(secretEnv).toEqual([
      { name: 'SERVIRT_TARGET_1_CLIENT_KEY', secret: 'g-ssh', key: 'client_ed25519' },
      { name: 'SERVIRT_TARGET_1_HOST_KEY', secret: 'g-ssh', key: 'host_ed25519.pub' },
    ]);
  });
});
