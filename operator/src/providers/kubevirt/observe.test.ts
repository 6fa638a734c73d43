import { describe, expect, it } from '@jest/globals';
import { observeKubeVirt } from './observe.js';
import type { VirtualMachine, VirtualMachineInstance } from './types.js';

const vm = (printableStatus: string, conditions: VirtualMachine['status'] = {}): VirtualMachine =>
  ({
    metadata: { name: 'ns1', uid: 'vm-uid' },
    spec: { template: {} },
    status: { printableStatus, ...conditions },
  }) as VirtualMachine;

const vmi = (phase: string, addresses: string[] = []): VirtualMachineInstance =>
  ({
    metadata: { name: 'ns1', uid: 'vmi-uid' },
    spec: { domain: { devices: {} } },
    status: { phase, interfaces: [{ name: 'default', ipAddress: addresses[0], ipAddresses: addresses }] },
  }) as VirtualMachineInstance;

describe('what KubeVirt says about a guest', () => {
  it('is running with the instance addresses once the instance runs', () => {
    const seen = observeKubeVirt(vm('Running'), vmi('Running', ['10.244.0.12', 'fd10::12']));
    expect(seen.domain).toEqual({ name: 'ns1', uuid: 'vmi-uid', state: 'running' });
    expect(seen.addresses).toEqual([
      { type: 'InternalIP', address: '10.244.0.12' },
      { type: 'InternalIP', address: 'fd10::12' },
    ]);
  });

  it.each([
    ['Stopped', undefined, 'shutoff'],
    ['Starting', vmi('Scheduling'), 'other'],
    ['Provisioning', undefined, 'other'],
  ] as const)('maps %s to %s', (printable, instance, state) => {
    const seen = observeKubeVirt(vm(printable), instance);
    expect(seen.domain.state).toBe(state);
    expect(seen.addresses).toEqual([]);
  });

  it('reports what KubeVirt gave up on as a failure with its reason', () => {
    const seen = observeKubeVirt(
      vm('ErrImagePull', {
        conditions: [{ type: 'Ready', status: 'False', message: 'image registry.example/x not found' }],
      }),
      undefined,
    );
    expect(seen.failure).toEqual({ reason: 'ErrImagePull', message: 'image registry.example/x not found' });
  });
});
