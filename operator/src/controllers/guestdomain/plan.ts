import type { GuestDomain } from '../../api/types.generated.js';
import type { DomainSpec, DomainType, NetworkSpec, PortForward } from '../../providers/libvirt/domainXml.js';
import { stableMac } from '../../providers/libvirt/domainXml.js';
import { consoleLogVolume } from '../../providers/libvirt/consoleLog.js';
import type { GuestPlatform } from '../../providers/libvirt/capabilities.js';

/** The names of everything a GuestDomain owns on its host: deterministic, so a restarted operator finds them again. */
export interface GuestNames {
  domain: string;
  disk: string;
  seed: string;
  /** Volumes next to the base image for direct kernel boot, used when the pool has them. */
  kernel: string;
  initrd: string;
  /** The serial console log virtlogd writes into the pool; its rotated copies add .0, .1, … */
  consoleLog: string;
}

export const KERNEL_CMDLINE = 'root=LABEL=servirt-root ro console=ttyS0';

export function guestNames(guest: GuestDomain): GuestNames {
  const domain = `servirt-${guest.metadata.namespace}-${guest.metadata.name}`;
  const stem = guest.spec.disk.baseImage.replace(/\.(qcow2|img|raw)$/, '');
  return {
    domain,
    disk: `${domain}-disk.qcow2`,
    seed: `${domain}-seed.iso`,
    kernel: `${stem}.vmlinuz`,
    initrd: `${stem}.initrd.img`,
    consoleLog: consoleLogVolume(domain),
  };
}

export interface VolumePaths {
  disk: string;
  seed: string;
  kernel?: string;
  initrd?: string;
  /** Where the serial console log goes (QEMU domains; a file in the pool's directory). */
  consoleLog?: string;
}

/** The libvirt domain a GuestDomain should be. Pure. */
export function desiredDomain(
  guest: GuestDomain,
  names: GuestNames,
  domainType: DomainType,
  platform: GuestPlatform,
  paths: VolumePaths,
  /** The VirtualHost's libvirt network (spec.libvirt.network) that mode `default` attaches to. */
  hostNetwork = 'default',
): DomainSpec {
  const uid = guest.metadata.uid ?? '';
  const network = guest.spec.network;
  const mac = network?.macAddress ?? stableMac(uid, domainType);
  let networkSpec: NetworkSpec;
  if (network?.mode === 'user') {
    const forwards: PortForward[] = (network.hostForwards ?? []).map((f) => ({
      protocol: f.protocol ?? 'tcp',
      hostAddress: f.hostAddress ?? '127.0.0.1',
      hostPort: f.hostPort,
      guestPort: f.guestPort,
    }));
    networkSpec = { mode: 'user', forwards, mac };
  } else if (network?.mode === 'bridge') {
    networkSpec = { mode: 'bridge', source: network.source ?? '', mac };
  } else {
    networkSpec = { mode: 'network', source: hostNetwork, mac };
  }
  return {
    name: names.domain,
    uuid: uid,
    domainType,
    virtualization: guest.spec.virtualization ?? 'hvm',
    platform,
    vcpus: guest.spec.vcpus,
    memoryMiB: guest.spec.memoryMiB,
    disk: { path: paths.disk, format: 'qcow2' },
    seedIso: paths.seed,
    ...(paths.kernel && {
      kernel: { path: paths.kernel, ...(paths.initrd && { initrd: paths.initrd }), cmdline: KERNEL_CMDLINE },
    }),
    network: networkSpec,
    owner: { namespace: guest.metadata.namespace ?? '', name: guest.metadata.name ?? '', uid },
    ...(paths.consoleLog && domainType !== 'xen' && { consoleLog: paths.consoleLog }),
  };
}
