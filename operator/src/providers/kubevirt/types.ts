// Names for the KubeVirt (v1.9.0) API types the operator uses. types.generated.ts holds every
// definition of KubeVirt's spec, as openapi-typescript 6 names them: components['schemas'][name].
import type { components } from './types.generated.js';

/** KubeVirt's Swagger definitions by name, e.g. definitions['v1.VirtualMachine']. */
export type definitions = components['schemas'];

export type VirtualMachine = definitions['v1.VirtualMachine'];
export type VirtualMachineSpec = definitions['v1.VirtualMachineSpec'];
export type VirtualMachineStatus = definitions['v1.VirtualMachineStatus'];
export type VirtualMachineCondition = definitions['v1.VirtualMachineCondition'];
export type VirtualMachineInstance = definitions['v1.VirtualMachineInstance'];
export type VirtualMachineInstanceSpec = definitions['v1.VirtualMachineInstanceSpec'];
export type VirtualMachineInstanceStatus = definitions['v1.VirtualMachineInstanceStatus'];
export type VirtualMachineInstanceCondition = definitions['v1.VirtualMachineInstanceCondition'];
export type VirtualMachineInstanceTemplateSpec = definitions['v1.VirtualMachineInstanceTemplateSpec'];
export type VirtualMachineInstanceNetworkInterface = definitions['v1.VirtualMachineInstanceNetworkInterface'];
export type Interface = definitions['v1.Interface'];
export type Network = definitions['v1.Network'];
export type Disk = definitions['v1.Disk'];
export type Volume = definitions['v1.Volume'];
