import path from 'node:path';
import type { GuestDomain, VirtualHost } from '../../api/types.generated.js';
import { apacheFirstBootFiles } from '../../guest/apache/firstBoot.js';
import { bindFirstBootFiles } from '../../guest/bind/firstBoot.js';
import { mergeRoleConfigs, noCloudSeed } from '../../guest/cloudInit.js';
import { resolveGuestPlatform, type GuestCapability } from '../../providers/libvirt/capabilities.js';
import { isConsoleLogVolume } from '../../providers/libvirt/consoleLog.js';
import type { AddressSource, InterfaceAddress } from '../../providers/libvirt/interfaceAddresses.js';
import { domainXml, validateDomainSpec } from '../../providers/libvirt/domainXml.js';
import { seedIso, type DomainObservation, type ResizeChange } from '../../providers/libvirt/guests.js';
import type { DomainSizing } from '../../providers/libvirt/sizing.js';
import { isLoopbackAddress } from '../../guest/access/forwards.js';
import { desiredDomain, type GuestNames, type VolumePaths } from './plan.js';
import type { GuestKeys } from '../../guest/access/sshKeys.js';

/** What the controller needs of a hypervisor host (LibvirtGuests implements it). */
export interface GuestHypervisor {
  capabilities(): Promise<GuestCapability[]>;
  lookup(name: string): Promise<DomainObservation | undefined>;
  define(xml: string): Promise<void>;
  start(name: string): Promise<void>;
  shutdown(name: string): Promise<void>;
  destroy(name: string): Promise<void>;
  undefine(name: string): Promise<void>;
  volumes(): Promise<string[]>;
  /** Lists the files made in the pool since its last refresh (virtlogd's console logs). */
  refreshPool(): Promise<void>;
  /** The pool's directory when its volumes are files there (dir, fs, netfs pools), else undefined. */
  poolDirectory(): Promise<string | undefined>;
  /** The end of the domain's serial console log as printable text; '' when there is none yet. */
  consoleLog(domain: string, options: { tailBytes?: number }): Promise<string>;
  volumePath(name: string): Promise<string>;
  /** A running domain's reachable addresses from its network's DHCP leases or its guest agent. */
  interfaceAddresses(domain: string, source: AddressSource): Promise<InterfaceAddress[]>;
  definedSizing(domain: string): Promise<DomainSizing | undefined>;
  resize(domain: string, change: ResizeChange): Promise<void>;
  createOverlay(name: string, baseVolume: string, sizeBytes: number): Promise<void>;
  uploadVolume(name: string, content: Buffer): Promise<void>;
  deleteVolume(name: string): Promise<void>;
}

/** A failure the user must fix; reported as a condition rather than retried with backoff. */
export class ProvisionError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const GiB = 1024 ** 3;

/**
 * Disk, seed and domain for a guest whose domain does not exist yet. Until the domain is
 * defined nothing of the guest has run, so volumes left by an interrupted attempt are
 * made again from scratch: a crash at any point leaves nothing half-made behind.
 */
export async function provisionDomain(
  hypervisor: GuestHypervisor,
  guest: GuestDomain,
  host: VirtualHost,
  names: GuestNames,
  keys: GuestKeys,
): Promise<DomainObservation> {
  const libvirt = host.spec.libvirt;
  if (!libvirt) throw new ProvisionError('ProviderNotSupported', 'the VirtualHost has no libvirt connection');
  const volumes = await hypervisor.volumes();
  const base = guest.spec.disk.baseImage;
  if (!volumes.includes(base)) {
    throw new ProvisionError(
      'BaseImageMissing',
      `base image ${base} is not a volume of storage pool ${libvirt.storagePool ?? 'default'}`,
    );
  }
  const capabilities = await hypervisor.capabilities();
  const virtualization = guest.spec.virtualization ?? 'hvm';
  let platform;
  try {
    platform = resolveGuestPlatform(capabilities, { domainType: libvirt.hypervisor, virtualization });
  } catch (error) {
    throw new ProvisionError('PlatformNotSupported', (error as Error).message);
  }

  for (const stale of [names.disk, names.seed])
    if (volumes.includes(stale)) await hypervisor.deleteVolume(stale);
  await hypervisor.createOverlay(names.disk, base, (guest.spec.disk.sizeGiB ?? 0) * GiB);
  const spec = desiredDomain(
    guest,
    names,
    libvirt.hypervisor,
    platform,
    { disk: '', seed: '' },
    libvirt.network,
  );
  const network = guest.spec.network;
  const staticIpv4 =
    network?.mode === 'user' || !network?.ipv4 ? undefined : { ...network.ipv4, mac: spec.network.mac ?? '' };
  const isolatedDhcp =
    spec.network.mode === 'user'
      ? {
          mac: spec.network.mac ?? '',
          ...(spec.network.forwards.some((f) => !isLoopbackAddress(f.hostAddress)) && { defaultRoute: true }),
        }
      : undefined;
  // Every guest gets named's and Apache's base configuration: a DnsZone or a WebSite may pick any
  // guest as a server.
  const seed = noCloudSeed(
    {
      instanceId: guest.metadata.uid ?? guest.metadata.name ?? '',
      hostname: guest.metadata.name ?? 'guest',
      hostKey: { private: keys.hostPrivate, public: keys.hostPublic },
      authorizedKeys: [keys.clientPublic],
      ...(staticIpv4 && { staticIpv4 }),
      ...(isolatedDhcp && { isolatedDhcp }),
    },
    mergeRoleConfigs(bindFirstBootFiles(), apacheFirstBootFiles()),
  );
  await hypervisor.uploadVolume(names.seed, await seedIso({ ...seed }));

  const paths: VolumePaths = {
    disk: await hypervisor.volumePath(names.disk),
    seed: await hypervisor.volumePath(names.seed),
  };
  if (volumes.includes(names.kernel)) {
    paths.kernel = await hypervisor.volumePath(names.kernel);
    if (volumes.includes(names.initrd)) paths.initrd = await hypervisor.volumePath(names.initrd);
  }
  // virtlogd writes the serial console into the pool's directory, so the log is a volume that
  // `servirt guest console` reads over the host connection and teardown deletes.
  const poolDirectory = libvirt.hypervisor === 'xen' ? undefined : await hypervisor.poolDirectory();
  if (poolDirectory !== undefined) paths.consoleLog = path.posix.join(poolDirectory, names.consoleLog);
  const domain = desiredDomain(guest, names, libvirt.hypervisor, platform, paths, libvirt.network);
  const problems = validateDomainSpec(domain);
  if (problems.length > 0) throw new ProvisionError('InvalidSpec', problems.join('; '));
  await hypervisor.define(domainXml(domain));
  const defined = await hypervisor.lookup(names.domain);
  if (!defined) throw new Error(`domain ${names.domain} was defined but cannot be found`);
  return defined;
}

/**
 * Destroys and undefines the domain and deletes its disk, its seed and its console log with
 * virtlogd's rotated copies (`<domain>.console.log`, `.0` … `.31`: those names only); what is
 * already gone is fine.
 */
/**
 * Whether a domain found under a guest's name was made for that guest: the GuestDomain uid servirt
 * recorded in the domain's metadata. A domain without it (made by someone else) is never ours.
 */
export function madeFor(domain: Pick<DomainObservation, 'owner'>, guest: GuestDomain): boolean {
  const uid = guest.metadata.uid;
  return uid !== undefined && uid !== '' && domain.owner?.uid === uid;
}

export const NAME_CONFLICT = 'NameConflict';

/** What the status says of a domain under the guest's name that servirt did not make for it. */
export function nameConflictMessage(domainName: string): string {
  return `a domain named ${domainName} exists on the host and was not made for this GuestDomain: servirt leaves it and its volumes untouched; remove it, or give this GuestDomain another name`;
}

/**
 * Removes the guest's domain, disk, seed and console logs, unless a domain under its name was not
 * made for it: then nothing is touched (its volumes carry the same names) and 'foreign' is returned.
 */
export async function teardownDomain(
  hypervisor: GuestHypervisor,
  names: GuestNames,
  guest: GuestDomain,
): Promise<'removed' | 'foreign'> {
  const found = await hypervisor.lookup(names.domain);
  if (found && !madeFor(found, guest)) return 'foreign';
  await hypervisor.destroy(names.domain);
  await hypervisor.undefine(names.domain);
  await hypervisor.deleteVolume(names.disk);
  await hypervisor.deleteVolume(names.seed);
  // The pool lists virtlogd's files only after a refresh (the domain is gone: no more writes).
  await hypervisor.refreshPool();
  for (const volume of await hypervisor.volumes()) {
    if (isConsoleLogVolume(volume, names.consoleLog)) await hypervisor.deleteVolume(volume);
  }
  return 'removed';
}
