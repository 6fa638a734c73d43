import { NODE_SSH_SECRET, readSamples, samplesForNode } from './nodeSamples.js';

describe('samplesForNode', () => {
  const options = {
    hostAddress: '198.51.100.1',
    sshPort: 2222,
    clientPrivateKey: 'PRIVATE',
    hostPublicKey: 'ssh-ed25519 AAAA host\n',
  };
  const { servers, benchmarks } = readSamples();
  const rewritten = samplesForNode(servers, options) as {
    kind: string;
    metadata: { name: string };
    spec?: Record<string, unknown>;
    stringData?: Record<string, string>;
  }[];

  it('keeps every sample, the Benchmark apart, and puts the SSH Secret first', () => {
    expect(benchmarks.map((b) => b.kind)).toEqual(['Benchmark']);
    expect(rewritten.map((m) => m.kind)).toEqual(['Secret', ...servers.map((m) => m.kind)]);
    expect(rewritten[0]?.stringData).toEqual({
      'ssh-privatekey': 'PRIVATE',
      known_hosts: '[198.51.100.1]:2222 ssh-ed25519 AAAA host\n',
    });
  });

  it('points the VirtualHost at the sshd on the veth address, with the Secret', () => {
    const host = rewritten.find((m) => m.kind === 'VirtualHost');
    expect(host?.spec?.libvirt).toMatchObject({
      uri: 'qemu+ssh://root@198.51.100.1:2222/system',
      sshKeySecretRef: { name: NODE_SSH_SECRET },
      hypervisor: 'qemu',
    });
  });

  it("forwards every guest port on the veth address, and leaves the samples' files alone", () => {
    const guests = rewritten.filter((m) => m.kind === 'GuestDomain');
    expect(guests.length).toBeGreaterThan(0);
    for (const guest of guests) {
      const forwards = (guest.spec?.network as { hostForwards: { hostAddress: string }[] }).hostForwards;
      expect(forwards.map((f) => f.hostAddress)).toEqual(forwards.map(() => '198.51.100.1'));
    }
    const original = servers.find((m) => m.kind === 'GuestDomain')?.spec.network as {
      hostForwards: { hostAddress: string }[];
    };
    expect(original.hostForwards[0]?.hostAddress).toBe('127.0.0.1');
  });
});
