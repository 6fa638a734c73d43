// The attack of two names on one domain, on the real local libvirtd: tenant A's GuestDomain web in
// namespace e2e-conflict-a and tenant B's a-web in e2e-conflict map to the same libvirt names
// (servirt-e2e-conflict-a-web). B's guest must not start, stop, resize, read or remove A's domain or
// its disk, nor a VM servirt never made under that name. Nothing boots: the domains are only defined.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GuestDomain, VirtualHost } from '../../operator/src/api/types.generated.js';
import { libvirtBackend } from '../../operator/src/controllers/guestdomain/libvirtBackend.js';
import { guestNames } from '../../operator/src/controllers/guestdomain/plan.js';
import { newGuestKeys } from '../../operator/src/guest/access/sshKeys.js';
import { GUESTDOMAIN_METADATA_NS } from '../../operator/src/providers/libvirt/domainXml.js';
import { LibvirtGuests } from '../../operator/src/providers/libvirt/guests.js';
import { BASE_IMAGE, LIBVIRT_URI, POOL, virsh } from './environment.js';

const host: VirtualHost = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'VirtualHost',
  metadata: { name: 'local', namespace: 'e2e-conflict', uid: 'host-uid' },
  spec: { provider: 'libvirt', libvirt: { uri: LIBVIRT_URI, hypervisor: 'qemu', storagePool: POOL } },
};

/** Tenant B's guest: namespace e2e-conflict, name a-web. */
const attacker: GuestDomain = {
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name: 'a-web', namespace: 'e2e-conflict', uid: '00000000-0000-4000-8000-00000000000b' },
  spec: {
    virtualHostRef: { name: 'local', hypervisor: 'qemu' },
    vcpus: 2,
    memoryMiB: 256,
    disk: { baseImage: `${BASE_IMAGE}.qcow2` },
    network: { mode: 'user', hostForwards: [] },
    runStrategy: 'Halted',
  },
};
const names = guestNames(attacker);
const keys = newGuestKeys(attacker.metadata.name ?? '');

/** A domain under the attacker's libvirt name: tenant A's (servirt metadata, another uid) or nobody's. */
const victimXml = (metadata: string) =>
  `<domain type="qemu"><name>${names.domain}</name><memory unit="MiB">128</memory><vcpu>1</vcpu>` +
  `${metadata}<os><type arch="x86_64">hvm</type></os>` +
  `<devices><disk type="file" device="disk"><source file="PATH"/><target dev="vda" bus="virtio"/></disk></devices></domain>\n`;
const tenantA =
  `<metadata><servirt:guestdomain xmlns:servirt="${GUESTDOMAIN_METADATA_NS}" namespace="e2e-conflict-a" ` +
  `name="web" uid="00000000-0000-4000-8000-00000000000a"/></metadata>`;

describe.each([
  ['another tenant’s servirt domain', tenantA],
  ['a VM servirt never made', ''],
])('a GuestDomain whose libvirt names are taken by %s', (_, metadata) => {
  let dir: string;
  const backend = libvirtBackend(new LibvirtGuests(LIBVIRT_URI, POOL), host, {
    shutdownGraceMs: 0,
    shutdownRequested: new Map(),
  });
  const snapshot = async () => ({
    xml: await virsh('dumpxml', '--inactive', names.domain),
    state: (await virsh('domstate', names.domain)).trim(),
    disk: (await virsh('vol-list', '--pool', POOL)).includes(names.disk),
  });
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-e2e-conflict-'));
    await virsh('vol-create-as', POOL, names.disk, '1M', '--format', 'qcow2');
    const diskPath = (await virsh('vol-path', '--pool', POOL, names.disk)).trim();
    const file = path.join(dir, 'victim.xml');
    await writeFile(file, victimXml(metadata).replace('PATH', diskPath));
    await virsh('define', file);
    before = await snapshot();
  });
  afterAll(async () => {
    await virsh('undefine', names.domain).catch(() => undefined);
    await virsh('vol-delete', '--pool', POOL, names.disk).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('says NameConflict and leaves the domain as it was (not resized, not adopted)', async () => {
    const step = await backend.ensure(attacker, keys);
    expect(step.failure?.reason).toBe('NameConflict');
    // Nothing of whose domain it is: not the other tenant's namespace/name, not its uid.
    expect(step.failure?.message).not.toMatch(/e2e-conflict-a\/web|0000000000a/);
    expect(step.domain).toBeUndefined();
    expect(step.consoleTail).toBeUndefined();
    expect(await snapshot()).toEqual(before);
  });

  it('releases its own deletion without undefining the domain or deleting its disk', async () => {
    expect(await backend.remove(attacker)).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(before.disk).toBe(true);
  });
});
