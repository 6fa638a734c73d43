// The parts of KubeVirt's VirtualMachine and VirtualMachineInstance that the stand-in reads,
// and pure helpers over them: the run strategy, the root disk's image, cloud-init, memory, CPUs.
import { createHash } from 'node:crypto';

export {
  VIRTUAL_MACHINE_INSTANCES,
  VIRTUAL_MACHINES,
} from '../../../operator/src/providers/kubevirt/resources.js';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface CloudInitNoCloud {
  secretRef?: { name?: string };
  networkDataSecretRef?: { name?: string };
  userData?: string;
  userDataBase64?: string;
  networkData?: string;
  networkDataBase64?: string;
}

export interface Volume {
  name: string;
  containerDisk?: { image?: string };
  cloudInitNoCloud?: CloudInitNoCloud;
}

export interface InstanceSpec {
  domain?: {
    cpu?: { cores?: number; sockets?: number; threads?: number };
    memory?: { guest?: string };
    resources?: { requests?: Record<string, string> };
    devices?: {
      disks?: { name: string }[];
      interfaces?: { name: string; macAddress?: string }[];
    };
  };
  volumes?: Volume[];
}

export interface VirtualMachine {
  metadata: ObjectMeta;
  spec?: {
    runStrategy?: string;
    running?: boolean;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: InstanceSpec;
    };
  };
}

export interface VirtualMachineInstance {
  metadata: ObjectMeta;
  spec?: InstanceSpec;
  status?: { phase?: string };
}

export interface List<T> {
  items: T[];
}

/** The run strategy as KubeVirt reports it in VM status: spec.running maps to Always/Halted. */
export function runStrategyOf(vm: VirtualMachine): string {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  return vm.spec?.running ? 'Always' : 'Halted';
}

/** Whether the VM should have a running instance (RerunOnFailure and Once count as Always here). */
export function wantsRunning(vm: VirtualMachine): boolean {
  if (vm.metadata.deletionTimestamp) return false;
  return ['Always', 'RerunOnFailure', 'Once'].includes(runStrategyOf(vm));
}

/** The containerDisk image of the first disk, or why there is none. */
export function rootDiskImage(spec: InstanceSpec): { image: string } | { error: string } {
  const disk = spec.domain?.devices?.disks?.[0];
  if (!disk) return { error: 'the template has no disks (domain.devices.disks is empty)' };
  const volume = spec.volumes?.find((v) => v.name === disk.name);
  if (!volume) return { error: `disk ${disk.name} has no volume of that name` };
  const image = volume.containerDisk?.image;
  if (!image)
    return { error: `volume ${disk.name} is not a containerDisk (the stand-in boots containerDisks only)` };
  return { image };
}

export function cloudInitOf(spec: InstanceSpec): CloudInitNoCloud | undefined {
  return spec.volumes?.find((v) => v.cloudInitNoCloud)?.cloudInitNoCloud;
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A Kubernetes memory quantity ("512Mi", "1G", "1073741824") in MiB, rounded up. */
export function quantityMiB(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([kMGT]i?|Ki)?$/.exec(quantity.trim());
  const unit = UNITS[match?.[2] ?? ''];
  if (!match || unit === undefined)
    throw new Error(`cannot read the memory quantity ${JSON.stringify(quantity)}`);
  return Math.ceil((Number(match[1]) * unit) / 1024 ** 2);
}

export function memoryMiB(spec: InstanceSpec): number {
  const quantity = spec.domain?.memory?.guest ?? spec.domain?.resources?.requests?.memory;
  return quantity ? quantityMiB(quantity) : 512;
}

export function cpuCount(spec: InstanceSpec): number {
  const cpu = spec.domain?.cpu;
  return Math.max(1, (cpu?.cores ?? 1) * (cpu?.sockets ?? 1) * (cpu?.threads ?? 1));
}

/** The first interface's name and MAC; a MAC derived from the instance's uid when none is set. */
export function primaryInterface(spec: InstanceSpec, uid: string): { name: string; mac: string } {
  const iface = spec.domain?.devices?.interfaces?.[0];
  const bytes = createHash('sha256').update(uid).digest().subarray(0, 3);
  const generated = `52:54:00:${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  return { name: iface?.name ?? 'default', mac: (iface?.macAddress ?? generated).toLowerCase() };
}
