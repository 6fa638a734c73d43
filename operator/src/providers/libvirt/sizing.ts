// A domain's vCPUs and memory, as its XML says (`virsh dumpxml`, live or --inactive).

export interface DomainSizing {
  /** vCPUs online now (`<vcpu current=…>`, else the element's value). */
  vcpus: number;
  /** The most vCPUs the domain can have without a restart (the `<vcpu>` value). */
  maxVcpus: number;
  /** Memory in MiB the guest has (`<currentMemory>`, else `<memory>`). */
  memoryMiB: number;
  /** The most memory the domain can have without a restart (`<memory>`), in MiB. */
  maxMemoryMiB: number;
}

const TO_KIB: Record<string, number> = {
  b: 1 / 1024,
  bytes: 1 / 1024,
  k: 1,
  kib: 1,
  kb: 1000 / 1024,
  m: 1024,
  mib: 1024,
  mb: 1e6 / 1024,
  g: 1024 ** 2,
  gib: 1024 ** 2,
  gb: 1e9 / 1024,
};

/** The sizing in a domain's XML, or undefined when it has no <vcpu> or <memory>. Pure. */
export function parseSizing(xml: string): DomainSizing | undefined {
  const vcpu = /<vcpu\b([^>]*)>\s*(\d+)\s*<\/vcpu>/.exec(xml);
  const memory = memoryMiB(xml, 'memory');
  if (!vcpu || memory === undefined) return undefined;
  const maxVcpus = Number(vcpu[2]);
  const current = /\bcurrent=['"](\d+)['"]/.exec(vcpu[1] ?? '');
  return {
    vcpus: current ? Number(current[1]) : maxVcpus,
    maxVcpus,
    memoryMiB: memoryMiB(xml, 'currentMemory') ?? memory,
    maxMemoryMiB: memory,
  };
}

function memoryMiB(xml: string, element: string): number | undefined {
  const match = new RegExp(`<${element}\\b([^>]*)>\\s*(\\d+)\\s*</${element}>`).exec(xml);
  if (!match) return undefined;
  const unit = (/\bunit=['"](\w+)['"]/.exec(match[1] ?? '')?.[1] ?? 'KiB').toLowerCase();
  return Math.round((Number(match[2]) * (TO_KIB[unit] ?? 1)) / 1024);
}
