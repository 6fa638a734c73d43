// The e2e world: the test control plane (test/integration/testCluster.ts), a local libvirtd
// (hack/libvirt/up.sh) and the project's Debian guest image in its storage pool.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { repoDir } from '../../hack/cluster/tools.js';

const run = promisify(execFile);
const hack = (script: string) => path.join(repoDir, 'hack', script);

export const LIBVIRT_URI = 'qemu:///system';
export const POOL = 'servirt';
export const BASE_IMAGE = 'debian-12-servirt';

/** Whether a libvirtd answers on LIBVIRT_URI. */
async function libvirtAnswers(): Promise<boolean> {
  return run('virsh', ['--quiet', '--connect', LIBVIRT_URI, 'uri']).then(
    () => true,
    () => false,
  );
}

/**
 * Builds (or finds) the guest image, starts libvirtd (unless one answers already) and loads the
 * image into the pool. startedLibvirt: whether this call started it (stopGuestEnvironment stops it).
 */
export async function prepareGuestEnvironment(): Promise<{ startedLibvirt: boolean }> {
  const startedLibvirt = !(await libvirtAnswers());
  await run('bash', [hack('libvirt/up.sh')]);
  await loadBaseImage(LIBVIRT_URI);
  return { startedLibvirt };
}

/** Builds (or finds) the guest image and loads it into the POOL of the libvirtd at uri. */
export async function loadBaseImage(uri: string): Promise<void> {
  const built = await run('bash', [hack('guest-image/build.sh')], { maxBuffer: 64 * 1024 * 1024 });
  const imageDir = built.stdout.trim().split('\n').at(-1) ?? '';
  await run('bash', [hack('libvirt/load-image.sh'), imageDir, BASE_IMAGE], {
    env: { ...process.env, LIBVIRT_URI: uri, LIBVIRT_POOL: POOL },
  });
}

/** Stops the libvirtd, virtlogd and QEMU processes hack/libvirt/up.sh started. */
export async function stopGuestEnvironment(): Promise<void> {
  await run('bash', [hack('libvirt/down.sh')]);
}

export async function virsh(...args: string[]): Promise<string> {
  return virshAt(LIBVIRT_URI, ...args);
}

export async function virshAt(uri: string, ...args: string[]): Promise<string> {
  return (await run('virsh', ['--quiet', '--connect', uri, ...args])).stdout;
}

/** Domains and volumes whose names start with prefix, on the local host or the one at uri. */
export async function leftovers(
  prefix: string,
  uri = LIBVIRT_URI,
): Promise<{ domains: string[]; volumes: string[] }> {
  const domains = (await virshAt(uri, 'list', '--all', '--name'))
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n.startsWith(prefix));
  const volumes = (await virshAt(uri, 'vol-list', '--pool', POOL))
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  return { domains, volumes };
}

/** Destroys and removes the domains and volumes whose names start with prefix: after a failed test. */
export async function removeFromHost(prefix: string): Promise<void> {
  const { domains, volumes } = await leftovers(prefix);
  for (const domain of domains) {
    await virsh('destroy', domain).catch(() => undefined);
    await virsh('undefine', domain).catch(() => undefined);
  }
  for (const volume of volumes) await virsh('vol-delete', volume, '--pool', POOL).catch(() => undefined);
}
