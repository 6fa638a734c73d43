// A GuestDomain on a KubeVirt VirtualHost, end to end: the operator (a real process) writes the
// VirtualMachine and its cloud-init Secret to a real API server that has KubeVirt's CRDs (schemas
// from KubeVirt v1.9.0's spec); standInKubeVirt.ts stands for virt-controller and virt-handler and
// boots that VirtualMachine with QEMU (TCG) from its own disk and Secret; the guest becomes
// GuestReady and serves a DnsZone. Kubernetes' garbage collector runs for the owner references.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { installKubeVirtCrds } from '../../../hack/cluster/crds.js';
import { startGarbageCollector } from '../../../hack/cluster/garbageCollector.js';
import type { DnsZone, GuestDomain } from '../../../operator/src/api/types.generated.js';
import { kubectl, repoPath, testKubeconfig } from '../../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../../integration/operatorProcess.js';
import { validateAgainstSpec } from '../../integration/kubevirt/specValidation.js';
import { dig } from '../dig.js';
import { apply, condition, getGuest } from '../guests.js';
import { startStandInKubeVirt, type StandInKubeVirt } from './standInKubeVirt.js';

jest.setTimeout(900_000);

const run = promisify(execFile);
const NAMESPACE = 'e2e-kubevirt';
const GUEST = 'kv-ns1';
const IMAGE = 'servirt/debian-12:e2e';

interface Vmi {
  status?: { conditions?: { type: string; status: string }[]; guestOSInfo?: { id?: string } };
}

const getJson = async <T>(...args: string[]): Promise<T | undefined> => {
  const result = await kubectl(['get', ...args, '-n', NAMESPACE, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
};

describe('GuestDomain on a KubeVirt VirtualHost (stand-in virt-handler booting QEMU, TCG)', () => {
  let operator: OperatorProcess;
  let kubevirt: StandInKubeVirt;
  let gc: { stop(): Promise<void> };
  let dir: string;
  let address = '';

  beforeAll(async () => {
    const built = await run('bash', [repoPath('hack/guest-image/build.sh')], { maxBuffer: 64 * 1024 * 1024 });
    const imageDir = built.stdout.trim().split('\n').at(-1) ?? '';
    await installKubeVirtCrds(testKubeconfig());
    dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-e2e-kubevirt-'));
    gc = await startGarbageCollector(testKubeconfig(), dir);
    kubevirt = await startStandInKubeVirt({ kubeconfig: testKubeconfig(), images: { [IMAGE]: imageDir } });
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'VirtualHost',
      metadata: { name: 'cluster', namespace: NAMESPACE },
      spec: { provider: 'kubevirt', kubevirt: {} },
    });
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });

  afterAll(async () => {
    operator?.child.kill('SIGKILL');
    await kubevirt?.stop();
    await gc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('boots the guest the operator configured through KubeVirt until GuestReady', async () => {
    const started = Date.now();
    await apply({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'GuestDomain',
      metadata: { name: GUEST, namespace: NAMESPACE },
      spec: {
        virtualHostRef: { name: 'cluster' },
        vcpus: 1,
        memoryMiB: 1024,
        disk: { baseImage: IMAGE },
      },
    });
    await eventually(
      async () => condition(await getGuest(NAMESPACE, GUEST), 'GuestReady')?.status === 'True',
      480_000,
      'GuestReady',
    );
    console.log(`GuestReady on KubeVirt after ${Math.round((Date.now() - started) / 1000)} s`);
    const guest = (await getGuest(NAMESPACE, GUEST)) as GuestDomain;
    expect(guest.status?.phase).toBe('Running');
    address = guest.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    expect(address).toMatch(/^127\./);
    expect(kubevirt.instances().map((i) => [i.name, i.address])).toEqual([[GUEST, address]]);
    // What the operator wrote is what KubeVirt v1.9.0's spec defines.
    expect(validateAgainstSpec(await getJson('vm', GUEST), 'v1.VirtualMachine')).toEqual([]);
    // The image's guest agent answers on the channel virt-launcher gives the domain.
    const readyAt = Date.now();
    await eventually(
      async () =>
        (await getJson<Vmi>('vmi', GUEST))?.status?.conditions?.some(
          (c) => c.type === 'AgentConnected' && c.status === 'True',
        ) ?? false,
      120_000,
      'the VMI AgentConnected',
    );
    console.log(`AgentConnected ${Math.round((Date.now() - readyAt) / 1000)} s after GuestReady`);
    const vmi = await getJson<Vmi>('vmi', GUEST);
    expect(vmi?.status?.guestOSInfo?.id).toBe('debian');
    // ...and what the stand-in wrote once the agent answered is what KubeVirt's spec defines.
    expect(validateAgainstSpec(vmi, 'v1.VirtualMachineInstance')).toEqual([]);
  });

  it('serves a DnsZone whose primary is that guest', async () => {
    const zone: DnsZone = {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'DnsZone',
      metadata: { name: 'kv-test', namespace: NAMESPACE },
      spec: {
        origin: 'kv.test',
        primary: { guestRef: { name: GUEST } },
        records: [{ name: 'www', type: 'A', value: '192.0.2.7' }],
      },
    };
    await apply(zone);
    await eventually(
      async () =>
        (await getJson<DnsZone>('dnszone', 'kv-test'))?.status?.conditions?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ) ?? false,
      180_000,
      'the DnsZone Ready',
    );
    expect(await dig(53, 'www.kv.test', 'A', 'udp', address)).toEqual({
      status: 'NOERROR',
      data: ['192.0.2.7'],
    });
    expect(await dig(53, 'www.kv.test', 'A', 'tcp', address)).toEqual({
      status: 'NOERROR',
      data: ['192.0.2.7'],
    });
    expect((await kubectl(['delete', 'dnszone', 'kv-test', '-n', NAMESPACE, '--timeout=300s'])).code).toBe(0);
  });

  it('removes the VirtualMachine and its Secret when the GuestDomain is deleted', async () => {
    expect(await getJson('secret', `${GUEST}-cloudinit`)).toBeDefined();
    const deleted = await kubectl(['delete', 'gd', GUEST, '-n', NAMESPACE, '--timeout=300s']);
    expect(deleted.code).toBe(0);
    expect(await getJson('vm', GUEST)).toBeUndefined();
    await eventually(
      async () => (await getJson('secret', `${GUEST}-cloudinit`)) === undefined,
      60_000,
      'Secret gone',
    );
    await eventually(() => kubevirt.instances().length === 0, 60_000, 'QEMU stopped');
  });
});
