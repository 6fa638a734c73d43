import type { ResourceType } from '../../kube/resourcePath.js';

export const VIRTUAL_MACHINES: ResourceType = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachines',
  kind: 'VirtualMachine',
  namespaced: true,
};
export const VIRTUAL_MACHINE_INSTANCES: ResourceType = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstances',
  kind: 'VirtualMachineInstance',
  namespaced: true,
};
