// The KubeVirt stand-in against the test control plane with KubeVirt's CRDs: a VirtualMachine
// becomes a VirtualMachineInstance booted under QEMU (TCG) from the local guest image, with
// cloud-init from Secrets, reachable over SSH on its "pod IP"; Halted stops it again.
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { installKubeVirtCrds } from '../../../hack/cluster/crds.js';
import { isNotFound, KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { repoPath, testKubeconfig } from '../../integration/cluster.js';
import { eventually } from '../../integration/operatorProcess.js';
import { VIRTUAL_MACHINE_INSTANCES, VIRTUAL_MACHINES } from './kubevirtObjects.js';
import { startStandInKubeVirt, type StandInKubeVirt } from './standInKubeVirt.js';

jest.setTimeout(900_000);

const run = promisify(execFile);
const NAMESPACE = 'e2e-standin-kubevirt';
const IMAGE = 'servirt/debian-12:test';
const MERGE_PATCH = 'application/merge-patch+json';

interface Vmi {
  metadata: { uid: string; ownerReferences?: { kind: string; name: string; controller?: boolean }[] };
  status?: {
    phase?: string;
    nodeName?: string;
    interfaces?: { ipAddress?: string; interfaceName?: string; infoSource?: string }[];
    conditions?: { type: string; status: string }[];
    guestOSInfo?: { id?: string; versionId?: string; kernelRelease?: string };
    phaseTransitionTimestamps?: { phase?: string }[];
  };
}
interface Vm {
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: { type: string; message?: string }[];
  };
}

function virtualMachine(name: string, image: string, cloudInitSecret: string) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      runStrategy: 'Always',
      template: {
        metadata: { labels: { 'kubevirt.io/vm': name } },
        spec: {
          domain: {
            cpu: { cores: 2 },
            memory: { guest: '1Gi' },
            devices: {
              disks: [
                { name: 'root', disk: { bus: 'virtio' } },
                { name: 'cloudinit', disk: { bus: 'virtio' } },
              ],
              interfaces: [{ name: 'default', masquerade: {} }],
            },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [
            { name: 'root', containerDisk: { image } },
            {
              name: 'cloudinit',
              cloudInitNoCloud: {
                secretRef: { name: cloudInitSecret },
                networkDataSecretRef: { name: cloudInitSecret },
              },
            },
          ],
        },
      },
    },
  };
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stand-in KubeVirt (virt-controller and virt-handler, QEMU TCG)', () => {
  let client: KubeClient;
  let standIn: StandInKubeVirt;
  let work: string;
  const logLines: string[] = [];
  const t0 = Date.now();
  const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);

  const get = async <T>(path: string): Promise<T | undefined> =>
    client.request<T>({ method: 'GET', path }).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
  const vmPath = (name: string) => resourcePath(VIRTUAL_MACHINES, { namespace: NAMESPACE, name });
  const vmiPath = (name: string) => resourcePath(VIRTUAL_MACHINE_INSTANCES, { namespace: NAMESPACE, name });

  beforeAll(async () => {
    const built = await run('bash', [repoPath('hack/guest-image/build.sh')], { maxBuffer: 64 * 1024 * 1024 });
    const imageDir = built.stdout.trim().split('\n').at(-1) ?? '';
    await installKubeVirtCrds(testKubeconfig());
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(testKubeconfig());
    client = await KubeClient.create(kubeConfig);
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: NAMESPACE } },
    });
    work = await mkdtemp(path.join(os.tmpdir(), 'servirt-standin-kubevirt-test-'));
    await run('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'standin-test',
      '-f',
      path.join(work, 'key'),
    ]);
    standIn = await startStandInKubeVirt({
      kubeconfig: testKubeconfig(),
      images: { [IMAGE]: imageDir },
      log: (line) => logLines.push(`${seconds()}s ${line}`),
    });
  });

  afterAll(async () => {
    await standIn?.stop();
    client?.close();
    if (work) await rm(work, { recursive: true, force: true });
    if (logLines.length) console.log(logLines.join('\n'));
  });

  it('reports ErrImagePull for an image it does not have, and boots nothing', async () => {
    await client.request({
      method: 'POST',
      path: resourcePath(VIRTUAL_MACHINES, { namespace: NAMESPACE }),
      body: virtualMachine('unknown-image', 'example.com/nothing:1', 'none'),
    });
    await eventually(
      async () => (await get<Vm>(vmPath('unknown-image')))?.status?.printableStatus === 'ErrImagePull',
      30_000,
      'printableStatus ErrImagePull',
    );
    const vm = await get<Vm>(vmPath('unknown-image'));
    expect(vm?.status).toMatchObject({ created: false, ready: false });
    expect(vm?.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False' });
    expect(vm?.status?.conditions?.[0]?.message).toContain('example.com/nothing:1');
    expect(await get(vmiPath('unknown-image'))).toBeUndefined();
    await client.request({ method: 'DELETE', path: vmPath('unknown-image') });
  });

  it('boots a VirtualMachine, answers SSH with cloud-init done on its address, and stops it on Halted', async () => {
    const publicKey = (await readFile(path.join(work, 'key.pub'), 'utf8')).trim();
    await client.request({
      method: 'POST',
      path: resourcePath(SECRETS, { namespace: NAMESPACE }),
      body: {
        metadata: { name: 'vm1-cloudinit', namespace: NAMESPACE },
        stringData: {
          userdata: `#cloud-config\ndisable_root: false\nssh_authorized_keys:\n  - ${publicKey}\n`,
          networkdata: 'version: 2\nethernets:\n  primary:\n    match:\n      name: "e*"\n    dhcp4: true\n',
        },
      },
    });
    await client.request({
      method: 'POST',
      path: resourcePath(VIRTUAL_MACHINES, { namespace: NAMESPACE }),
      body: virtualMachine('vm1', IMAGE, 'vm1-cloudinit'),
    });

    let address = '';
    await eventually(
      async () => {
        const vmi = await get<Vmi>(vmiPath('vm1'));
        address = vmi?.status?.interfaces?.[0]?.ipAddress ?? '';
        return vmi?.status?.phase === 'Running' && address !== '';
      },
      60_000,
      'VMI Running with an address',
    );
    const runningAt = seconds();
    expect(address).toMatch(/^127\.77\.0\.\d+$/);
    const vmi = await get<Vmi>(vmiPath('vm1'));
    expect(vmi?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VirtualMachine', name: 'vm1', controller: true }),
    ]);
    expect(vmi?.status).toMatchObject({
      nodeName: 'stand-in',
      interfaces: [
        {
          name: 'default',
          ipAddress: address,
          ipAddresses: [address],
          mac: expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/),
          interfaceName: 'eth0',
          infoSource: 'domain',
        },
      ],
    });
    expect(vmi?.status?.phaseTransitionTimestamps?.map((t) => t.phase)).toEqual(['Scheduled', 'Running']);
    expect(vmi?.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    );
    await eventually(
      async () => (await get<Vm>(vmPath('vm1')))?.status?.printableStatus === 'Running',
      10_000,
      'VM printableStatus Running',
    );
    expect((await get<Vm>(vmPath('vm1')))?.status).toMatchObject({
      created: true,
      ready: true,
      runStrategy: 'Always',
    });
    const instance = standIn.instances().find((i) => i.name === 'vm1');
    expect(instance).toMatchObject({ namespace: NAMESPACE, address });
    const pid = instance?.pid ?? -1;
    expect(processAlive(pid)).toBe(true);

    // TCG boots take 60-120 s, longer on a busy machine: retry SSH until the guest answers.
    const sshArgs = [
      ...['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes'],
      ...['-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', '-i', path.join(work, 'key')],
      `root@${address}`,
      'cloud-init status --wait',
    ];
    let answer = '';
    const deadline = Date.now() + 420_000;
    while (Date.now() < deadline) {
      answer = await run('ssh', sshArgs, { timeout: 300_000 }).then(
        (r) => r.stdout,
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
      if (answer.includes('status: ')) break;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
    const cloudInitAt = seconds();
    expect(answer.trim().split('\n').at(-1)).toBe('status: done');

    // The guest agent (udev starts it on its virtio-serial port) answers on the VMI's channel.
    const agentConnected = (v?: Vmi) =>
      v?.status?.conditions?.some((c) => c.type === 'AgentConnected' && c.status === 'True') ?? false;
    await eventually(async () => agentConnected(await get<Vmi>(vmiPath('vm1'))), 60_000, 'AgentConnected');
    const agentAt = seconds();
    const withAgent = await get<Vmi>(vmiPath('vm1'));
    expect(withAgent?.status?.guestOSInfo?.id).toBe('debian');
    expect(withAgent?.status?.guestOSInfo).toMatchObject({
      versionId: '12',
      kernelRelease: expect.any(String),
    });
    expect(withAgent?.status?.interfaces?.[0]).toMatchObject({
      ipAddress: address,
      interfaceName: expect.stringMatching(/^(en|eth)/),
      infoSource: 'domain, guest-agent',
    });

    // QEMU dies: the VMI fails, and with runStrategy Always a new one boots a few seconds later.
    process.kill(pid, 'SIGKILL');
    await eventually(
      async () => (await get<Vmi>(vmiPath('vm1')))?.status?.phase === 'Failed',
      10_000,
      'VMI Failed',
    );
    await eventually(
      async () => (await get<Vm>(vmPath('vm1')))?.status?.printableStatus === 'Stopped',
      5_000,
      'VM printableStatus Stopped after the failure',
    );
    await eventually(
      async () => {
        const next = await get<Vmi>(vmiPath('vm1'));
        return next?.metadata.uid !== vmi?.metadata.uid && next?.status?.phase === 'Running';
      },
      30_000,
      'a new VMI Running',
    );
    const restarted = standIn.instances().find((i) => i.name === 'vm1');
    expect(restarted?.pid).not.toBe(pid);
    const restartedPid = restarted?.pid ?? -1;
    const restartedAt = seconds();

    await client.request({
      method: 'PATCH',
      path: vmPath('vm1'),
      body: { spec: { runStrategy: 'Halted' } },
      contentType: MERGE_PATCH,
    });
    await eventually(async () => (await get(vmiPath('vm1'))) === undefined, 30_000, 'VMI deleted');
    await eventually(() => !processAlive(restartedPid), 15_000, 'QEMU gone');
    const folders = (await readdir(os.tmpdir())).filter((f) =>
      f.startsWith(`servirt-standin-${NAMESPACE}-vm1-`),
    );
    expect(folders).toEqual([]);
    await eventually(
      async () => (await get<Vm>(vmPath('vm1')))?.status?.printableStatus === 'Stopped',
      10_000,
      'VM printableStatus Stopped',
    );
    expect((await get<Vm>(vmPath('vm1')))?.status).toMatchObject({ created: false, ready: false });
    expect(standIn.instances()).toEqual([]);
    const stoppedAt = seconds();

    await client.request({ method: 'DELETE', path: vmPath('vm1') });
    await eventually(async () => (await get(vmPath('vm1'))) === undefined, 10_000, 'VM deleted');
    console.log(
      `VMI Running at ${runningAt}s, cloud-init done at ${cloudInitAt}s, agent at ${agentAt}s, restarted at ${restartedAt}s, stopped at ${stoppedAt}s`,
    );
  });
});
