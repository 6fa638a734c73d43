import { desiredStatus, type VirtualHostStatus } from './status.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:01:00Z';
const facts = {
  hypervisorType: 'QEMU',
  hypervisorVersion: '7.2.0',
  libvirtVersion: '9.0.0',
  cpus: 2,
  memoryMiB: 2048,
};

describe('VirtualHost desiredStatus', () => {
  it('reports a reachable host with its facts, Ready', () => {
    const status = desiredStatus(undefined, 3, { kind: 'reached', facts, declared: 'kvm' }, T1);
    expect(status).toMatchObject({
      observedGeneration: 3,
      reachable: true,
      hypervisorType: 'QEMU',
      capacity: { cpus: 2, memoryMiB: 2048 },
    });
    expect(status.conditions).toEqual([
      expect.objectContaining({
        type: 'Reachable',
        status: 'True',
        observedGeneration: 3,
        lastTransitionTime: T1,
      }),
      expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Reachable' }),
    ]);
  });

  it('is not Ready when the declared hypervisor is not what the host runs', () => {
    const status = desiredStatus(undefined, 1, { kind: 'reached', facts, declared: 'xen' }, T1);
    expect(status.conditions?.[1]).toMatchObject({ status: 'False', reason: 'HypervisorMismatch' });
    expect(status.conditions?.[1]?.message).toMatch(/xen.*QEMU/);
  });

  it('keeps the last known facts when the host stops answering, and flips the conditions', () => {
    const before = desiredStatus(undefined, 1, { kind: 'reached', facts, declared: 'qemu' }, T1);
    const after = desiredStatus(before, 1, { kind: 'unreachable', message: 'connection refused' }, T2);
    expect(after).toMatchObject({ reachable: false, hypervisorVersion: '7.2.0', capacity: { cpus: 2 } });
    expect(after.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime])).toEqual([
      ['Reachable', 'False', 'Unreachable', T2],
      ['Ready', 'False', 'Unreachable', T2],
    ]);
  });

  it('is stable: the same observation twice gives the same status', () => {
    const once: VirtualHostStatus = desiredStatus(
      undefined,
      1,
      { kind: 'reached', facts, declared: 'kvm' },
      T1,
    );
    expect(desiredStatus(once, 1, { kind: 'reached', facts, declared: 'kvm' }, T2)).toEqual(once);
  });

  it('explains a host it cannot use', () => {
    const status = desiredStatus(
      undefined,
      1,
      { kind: 'notSupported', reason: 'SecretInvalid', message: 'the SSH key Secret has no key' },
      T1,
    );
    expect(status.conditions?.[1]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'SecretInvalid',
    });
  });

  it('is Ready on a cluster that serves the KubeVirt API', () => {
    const status = desiredStatus(undefined, 1, { kind: 'kubevirt', apiVersion: 'kubevirt.io/v1' }, T1);
    expect(status).toMatchObject({
      reachable: true,
      hypervisorType: 'KubeVirt',
      hypervisorVersion: 'kubevirt.io/v1',
    });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Reachable', 'True', 'Connected'],
      ['Ready', 'True', 'Reachable'],
    ]);
  });
});
