// npm run bench:guest-boot: boots the project's guest image with the same kind of NoCloud seed
// twice, side by side in one run: by hand (virsh define + start of the same domain XML, then
// polling SSH) and through the operator (a GuestDomain, until GuestReady). "Ready" is the same
// for both: SSH answers with the pinned host key and cloud-init reports done.
// Prints one JSON line last: {rawReadySeconds, operatorReadySeconds, ratio}.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import { freePort, sleep } from '../../hack/cluster/processes.js';
import { noCloudSeed } from '../../operator/src/guest/cloudInit.js';
import { bindFirstBootFiles } from '../../operator/src/guest/bind/firstBoot.js';
import { connectGuest } from '../../operator/src/guest/channel.js';
import { LibvirtGuests, seedIso } from '../../operator/src/providers/libvirt/guests.js';
import { resolveGuestPlatform } from '../../operator/src/providers/libvirt/capabilities.js';
import { domainXml, stableMac } from '../../operator/src/providers/libvirt/domainXml.js';
import { desiredDomain, guestNames } from '../../operator/src/controllers/guestdomain/plan.js';
import type { GuestDomain } from '../../operator/src/api/types.generated.js';
import { prepareGuestEnvironment, LIBVIRT_URI, POOL, BASE_IMAGE } from '../e2e/environment.js';
import { guestDomain, localHost } from '../e2e/guests.js';
import { startOperatorProcess } from '../integration/operatorProcess.js';
import { runCommand } from '../integration/cluster.js';
import { toolPath } from '../../hack/cluster/tools.js';

const log = (message: string) => process.stderr.write(`[bench:guest-boot] ${message}\n`);
const TIMEOUT_MS = 600_000;

async function untilReady(port: number, keys: { client: string; hostPublic: string }): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the guest never became ready');
    try {
      const channel = await connectGuest(
        {
          host: '127.0.0.1',
          port,
          username: 'root',
          privateKey: keys.client,
          hostPublicKey: keys.hostPublic,
        },
        5_000,
      );
      const status = await channel
        .run(['cloud-init', 'status'], { timeoutMs: 10_000 })
        .finally(() => channel.close());
      if (/status: done/.test(status.stdout)) return;
    } catch {
      /* not yet */
    }
    await sleep(1000);
  }
}

async function bootByHand(): Promise<number> {
  const sshPort = await freePort();
  const manifest = guestDomain('bench', 'raw', sshPort, await freePort()) as unknown as GuestDomain;
  manifest.metadata.uid = '8a4c1d52-0000-4000-8000-000000000001';
  const names = guestNames(manifest);
  const hypervisor = new LibvirtGuests(LIBVIRT_URI, POOL);
  const host = generateEd25519('test');
  const client = generateEd25519('test');
  try {
    await hypervisor.createOverlay(names.disk, `${BASE_IMAGE}.qcow2`, 0);
    const seed = noCloudSeed(
      {
        instanceId: manifest.metadata.uid,
        hostname: 'raw',
        hostKey: { private: host.private, public: host.public },
        authorizedKeys: [client.public],
        isolatedDhcp: { mac: stableMac(manifest.metadata.uid, 'qemu') },
      },
      bindFirstBootFiles(),
    );
    await hypervisor.uploadVolume(names.seed, await seedIso({ ...seed }));
    const platform = resolveGuestPlatform(await hypervisor.capabilities(), {
      domainType: 'qemu',
      virtualization: 'hvm',
    });
    const xml = domainXml(
      desiredDomain(manifest, names, 'qemu', platform, {
        disk: await hypervisor.volumePath(names.disk),
        seed: await hypervisor.volumePath(names.seed),
        kernel: await hypervisor.volumePath(names.kernel),
        initrd: await hypervisor.volumePath(names.initrd),
      }),
    );
    const started = performance.now();
    await hypervisor.define(xml);
    await hypervisor.start(names.domain);
    await untilReady(sshPort, { client: client.private, hostPublic: host.public });
    return (performance.now() - started) / 1000;
  } finally {
    await hypervisor.destroy(names.domain);
    await hypervisor.undefine(names.domain);
    await hypervisor.deleteVolume(names.disk);
    await hypervisor.deleteVolume(names.seed);
  }
}

async function bootThroughOperator(kubeconfig: string): Promise<number> {
  const kubectl = async (args: string[], input?: string) => {
    const result = await runCommand(await toolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], input);
    if (result.code !== 0) throw new Error(result.stderr);
    return result.stdout;
  };
  await kubectl(['create', 'namespace', 'bench']);
  await kubectl(['apply', '-f', '-'], JSON.stringify(localHost('bench')));
  const operator = await startOperatorProcess(kubeconfig, { SERVIRT_LEADER_ELECTION: 'false' });
  try {
    await sleep(3000);
    const started = performance.now();
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(guestDomain('bench', 'op', await freePort(), await freePort())),
    );
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const guest = JSON.parse(
        await kubectl(['get', 'gd', 'op', '-n', 'bench', '-o', 'json']),
      ) as GuestDomain;
      if (guest.status?.conditions?.some((c) => c.type === 'GuestReady' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error('the GuestDomain never became GuestReady');
      await sleep(1000);
    }
    const seconds = (performance.now() - started) / 1000;
    await kubectl(['delete', 'gd', 'op', '-n', 'bench', '--timeout=120s']);
    return seconds;
  } finally {
    operator.child.kill('SIGTERM');
  }
}

log('preparing the guest image and libvirtd');
await prepareGuestEnvironment();
const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-boot-'));
const plane = await ControlPlane.start(dir, process.pid);
try {
  await installCrds(plane.kubeconfigPath);
  process.env.KUBECONFIG = plane.kubeconfigPath;
  log('booting by hand');
  const rawReadySeconds = await bootByHand();
  log(`by hand: ${rawReadySeconds.toFixed(1)} s; booting through the operator`);
  const operatorReadySeconds = await bootThroughOperator(plane.kubeconfigPath);
  console.log(
    JSON.stringify({
      rawReadySeconds: Number(rawReadySeconds.toFixed(1)),
      operatorReadySeconds: Number(operatorReadySeconds.toFixed(1)),
      ratio: Number((operatorReadySeconds / rawReadySeconds).toFixed(3)),
    }),
  );
} finally {
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
