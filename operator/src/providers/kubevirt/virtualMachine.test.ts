import { describe, expect, it } from '@jest/globals';
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { cloudInitSecret, desiredVirtualMachine, kubeVirtNames } from './virtualMachine.js';

const host = (kubevirt: NonNullable<VirtualHost['spec']['kubevirt']> = {}): VirtualHost => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'VirtualHost',
  metadata: { name: 'kv', namespace: 'dns' },
  spec: { provider: 'kubevirt', kubevirt },
});

const guest = (spec: Partial<GuestDomain['spec']> = {}): GuestDomain => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name: 'ns1', namespace: 'dns', uid: 'uid-ns1' },
  spec: {
    virtualHostRef: { name: 'kv' },
    vcpus: 2,
    memoryMiB: 1024,
    disk: { baseImage: 'registry.example/servirt/debian-12:1' },
    ...spec,
  },
});

const valid = (g: GuestDomain, h: VirtualHost) => {
  const plan = desiredVirtualMachine(g, h, kubeVirtNames(g, h));
  if (plan.kind !== 'valid') throw new Error(plan.message);
  return plan.vm;
};

describe('a GuestDomain as a KubeVirt VirtualMachine', () => {
  it('uses runStrategy (never spec.running), CPU, memory, a containerDisk and the pod network with masquerade', () => {
    const vm = valid(guest(), host());
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec).not.toHaveProperty('running');
    const spec = vm.spec.template.spec;
    expect(spec?.domain.cpu?.cores).toBe(2);
    expect(spec?.domain.memory?.guest).toBe('1024Mi');
    expect(spec?.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {} }]);
    expect(spec?.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(spec?.volumes?.[0]).toEqual({
      name: 'rootdisk',
      containerDisk: { image: 'registry.example/servirt/debian-12:1' },
    });
  });

  it('takes cloud-init from a Secret, never inline', () => {
    const vm = valid(guest(), host());
    expect(vm.spec.template.spec?.volumes?.[1]).toEqual({
      name: 'cloudinitdisk',
      cloudInitNoCloud: {
        secretRef: { name: 'ns1-cloudinit' },
        networkDataSecretRef: { name: 'ns1-cloudinit' },
      },
    });
    expect(JSON.stringify(vm)).not.toContain('userData');
  });

  it('is owned by the GuestDomain in its namespace; elsewhere it gets a prefixed name and no owner', () => {
    const same = valid(guest(), host());
    expect(same.metadata?.name).toBe('ns1');
    expect(same.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'GuestDomain', name: 'ns1', uid: 'uid-ns1', controller: true }),
    ]);
    const elsewhere = valid(
      guest(),
      host({ namespace: 'vms', nodeSelector: { 'kubevirt.io/schedulable': 'true' } }),
    );
    expect(elsewhere.metadata).toMatchObject({ name: 'dns-ns1', namespace: 'vms', ownerReferences: [] });
    expect(elsewhere.spec.template.spec?.nodeSelector).toEqual({ 'kubevirt.io/schedulable': 'true' });
  });

  it('halts with runStrategy Halted and bridges through Multus in bridge mode', () => {
    const vm = valid(guest({ runStrategy: 'Halted', network: { mode: 'bridge', source: 'dmz' } }), host());
    expect(vm.spec.runStrategy).toBe('Halted');
    expect(vm.spec.template.spec?.networks).toEqual([{ name: 'default', multus: { networkName: 'dmz' } }]);
    expect(vm.spec.template.spec?.domain.devices.interfaces?.[0]).toEqual({ name: 'default', bridge: {} });
  });

  it.each([
    [{ network: { mode: 'user' as const } }, 'NetworkModeNotSupported'],
    [{ virtualization: 'paravirtual' as const }, 'PlatformNotSupported'],
  ])('refuses what KubeVirt cannot run: %j', (spec, reason) => {
    const g = guest(spec);
    expect(desiredVirtualMachine(g, host(), kubeVirtNames(g, host()))).toMatchObject({
      kind: 'invalid',
      reason,
    });
  });

  it('puts user and network data into a Secret owned by the VirtualMachine', () => {
    const g = guest();
    const secret = cloudInitSecret(
      g,
      kubeVirtNames(g, host()),
      { 'user-data': '#cloud-config\n', 'meta-data': '', 'network-config': 'version: 2\n' },
      { ...valid(g, host()), metadata: { name: 'ns1', uid: 'vm-uid' } },
    );
    expect(secret.stringData).toEqual({ userdata: '#cloud-config\n', networkdata: 'version: 2\n' });
    expect(secret.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VirtualMachine', name: 'ns1', uid: 'vm-uid' }),
    ]);
  });
});
