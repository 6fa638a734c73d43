export interface HostFacts {
  /** The hypervisor driver, as libvirt names it: QEMU, Xen, TEST. */
  hypervisorType: string;
  hypervisorVersion: string;
  libvirtVersion: string;
  cpus: number;
  memoryMiB: number;
}

/** Parses the output of `virsh version` followed by `virsh nodeinfo`. */
export function parseHostFacts(output: string): HostFacts {
  const line = (label: string) => new RegExp(`^${label}:\\s*(.+)$`, 'm').exec(output)?.[1]?.trim();
  const hypervisor = line('Running hypervisor');
  const library = line('Using library');
  const cpus = line('CPU\\(s\\)');
  const memory = line('Memory size');
  if (!hypervisor || !library || !cpus || !memory) {
    throw new Error(`unexpected virsh output: ${output.slice(0, 300)}`);
  }
  const [hypervisorType = '', hypervisorVersion = ''] = hypervisor.split(/\s+/);
  const memoryKiB = Number(/^(\d+)\s*KiB$/.exec(memory)?.[1]);
  if (!Number.isFinite(memoryKiB)) throw new Error(`unexpected memory size in virsh nodeinfo: ${memory}`);
  return {
    hypervisorType,
    hypervisorVersion,
    libvirtVersion: library.replace(/^libvirt\s+/, ''),
    cpus: Number(cpus),
    memoryMiB: Math.floor(memoryKiB / 1024),
  };
}
