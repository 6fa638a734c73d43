// The operator as users run it: the chart installed with `helm install` on a real node (images
// built from the project's Dockerfile, no registry), two replicas under the enforced `restricted`
// Pod Security Standard, in-cluster configuration, leader election, metrics through its Service.
// It reaches this machine's libvirtd as a remote host (qemu+ssh:// to an sshd on the node's veth
// address, a Secret with its key and the pinned host key); the samples' guests forward their
// ports on that address. The sample zone and site come up, the leader pod is force-deleted in
// the middle of a change, the sample Benchmark's Jobs run as pods, the report is served by the
// operator pod; deleting the samples and `helm uninstall` leave nothing behind.
import path from 'node:path';
import { jest } from '@jest/globals';
import { readSamples, samplesForNode } from '../../hack/cluster/nodeSamples.js';
import { repoDir } from '../../hack/cluster/tools.js';
import { buildImages, type BuiltImages } from '../../hack/image/images.js';
import type { Benchmark } from '../../operator/src/api/types.generated.js';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { eventually } from '../integration/operatorProcess.js';
import { startTestSshd, type TestSshd } from '../integration/sshd.js';
import { dig } from './dig.js';
import { leftovers, removeFromHost } from './environment.js';
import { splitImage, startNodeCluster, type NodeCluster } from '../../hack/cluster/nodeCluster.js';

jest.setTimeout(900_000);

const SYSTEM = 'servirt-system';
const TENANT = 'tenant';
const RELEASE = 'servirt';
const LEASE = 'servirt-operator';
const GUEST_PREFIX = `servirt-${TENANT}-`;

interface PodView {
  name: string;
  ready: boolean;
  deleting: boolean;
  node?: string;
}

describe('the operator installed with Helm on a real node', () => {
  let images: BuiltImages;
  let cluster: NodeCluster;
  let sshd: TestSshd | undefined;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input);
  const hostAddress = () => cluster.node.place.hostAddress;

  const pods = async (namespace: string, selector: string): Promise<PodView[]> => {
    const list = JSON.parse(
      await kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']),
    ) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string };
        spec: { nodeName?: string };
        status: { conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((pod) => ({
      name: pod.metadata.name,
      ready: pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      deleting: pod.metadata.deletionTimestamp !== undefined,
      ...(pod.spec.nodeName && { node: pod.spec.nodeName }),
    }));
  };
  const operatorPods = () => pods(SYSTEM, 'app.kubernetes.io/name=servirt');
  /** The leader's pod: the Lease's holder is <pod name>_<random>. */
  const leaderPod = async () => {
    const holder = await kubectl([
      'get',
      'lease',
      LEASE,
      '-n',
      SYSTEM,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    return holder.trim().replace(/_[^_]*$/, '');
  };
  const metricsUrl = async (pathname: string) => {
    const ip = await kubectl([
      'get',
      'service',
      `${RELEASE}-metrics`,
      '-n',
      SYSTEM,
      '-o',
      'jsonpath={.spec.clusterIP}',
    ]);
    return `http://${ip.trim()}:8080${pathname}`;
  };
  const waitReady = (kind: string, names: string[], timeout: string) =>
    kubectl([
      'wait',
      '--for=condition=Ready',
      '-n',
      TENANT,
      `--timeout=${timeout}`,
      ...names.map((n) => `${kind}/${n}`),
    ]);
  /** Where the status says, when a wait fails: every sample's Ready condition. */
  const readiness = () =>
    kubectl([
      'get',
      'virtualhosts,guestdomains,dnszones,websites',
      '-n',
      TENANT,
      '-o',
      'jsonpath={range .items[*]}{.kind}/{.metadata.name}: {.status.conditions[?(@.type=="Ready")].reason} {.status.conditions[?(@.type=="Ready")].message}{"\\n"}{end}',
    ]).catch((error: Error) => error.message);
  /** What the leader logged last, when a wait fails. */
  const operatorLogs = async () =>
    kubectl(['logs', '-n', SYSTEM, await leaderPod(), '--tail=60']).catch((error: Error) => error.message);
  const ns = (guest: string) => ({ port: guestPort(guest, 53), server: hostAddress() });
  const guestPort = (guest: string, guestPortNumber: number) => {
    const sample = readSamples().servers.find((m) => m.kind === 'GuestDomain' && m.metadata.name === guest);
    const forwards = (sample?.spec.network as { hostForwards: { guestPort: number; hostPort: number }[] })
      .hostForwards;
    return forwards.find((f) => f.guestPort === guestPortNumber)?.hostPort ?? 0;
  };
  const digAt = (guest: string, name: string, type: string) => {
    const { port, server } = ns(guest);
    return dig(port, name, type, 'udp', server);
  };

  beforeAll(async () => {
    images = await buildImages();
    cluster = await startNodeCluster('op', images);
  }, 40 * 60_000);
  afterAll(async () => {
    await removeFromHost(GUEST_PREFIX);
    await sshd?.stop();
    await cluster?.stop();
  }, 180_000);

  it('comes up Ready with two replicas under the enforced restricted Pod Security Standard', async () => {
    await kubectl(['create', 'namespace', SYSTEM]);
    await kubectl(['label', 'namespace', SYSTEM, 'pod-security.kubernetes.io/enforce=restricted']);
    const operator = splitImage(images.operator.image);
    const runner = splitImage(images.runner.image);
    const started = Date.now();
    await cluster.helm([
      'install',
      RELEASE,
      path.join(repoDir, 'charts/servirt'),
      '--namespace',
      SYSTEM,
      '--set',
      `replicaCount=2,image.repository=${operator.repository},image.tag=${operator.tag},image.pullPolicy=Never`,
      '--set',
      `runnerImage.repository=${runner.repository},runnerImage.tag=${runner.tag}`,
      '--wait',
      '--timeout',
      '5m',
    ]);
    console.log(`helm install --wait: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const running = await operatorPods();
    expect(running).toHaveLength(2);
    expect(running.every((pod) => pod.ready && pod.node === cluster.node.nodeName)).toBe(true);
    await eventually(async () => (await leaderPod()) !== '', 60_000, 'a leader');
    expect(running.map((pod) => pod.name)).toContain(await leaderPod());
  }, 420_000);

  it('serves its metrics through its Service to a pod in the cluster', async () => {
    const { status, body } = await cluster.getFromPod(
      SYSTEM,
      await metricsUrl('/metrics'),
      images.runner.image,
    );
    expect(status).toBe(200);
    // The replica that answered reaches the API server in-cluster: through the kubernetes Service.
    expect(body).toMatch(/^rest_client_requests_total\{code="200",method="GET",host="10\.96\.0\.1"\} \d+$/m);
  }, 180_000);

  it("brings up the sample zone and site on guests of a host it reaches over SSH (the node's veth address)", async () => {
    const hostKey = generateEd25519('libvirt-host');
    const clientKey = generateEd25519('servirt-operator');
    sshd = await startTestSshd(hostKey.private, clientKey.public, hostAddress());
    const manifests = samplesForNode(readSamples().servers, {
      hostAddress: hostAddress(),
      sshPort: sshd.port,
      clientPrivateKey: clientKey.private,
      hostPublicKey: hostKey.public,
    });
    await kubectl(['create', 'namespace', TENANT]);
    for (const manifest of manifests)
      await kubectl(['apply', '-n', TENANT, '-f', '-'], JSON.stringify(manifest));
    try {
      await waitReady('virtualhost', ['local'], '120s');
      await waitReady('guestdomain', ['ns1', 'ns2', 'web1'], '900s');
      await waitReady('dnszone', ['example-com'], '300s');
      await waitReady('website', ['www'], '300s');
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await readiness()}`);
    }
    for (const guest of ['ns1', 'ns2']) {
      expect(await digAt(guest, 'mail.example.com', 'A')).toEqual({
        status: 'NOERROR',
        data: ['192.0.2.25'],
      });
    }
    // The site's record, published in the zone: the forward address on the veth.
    expect((await digAt('ns2', 'www.example.com', 'A')).data).toEqual([hostAddress()]);
    const site = await cluster.getFromPod(
      TENANT,
      `http://${hostAddress()}:${guestPort('web1', 80)}/`,
      images.runner.image,
      { host: 'www.example.com' },
    );
    expect(site.status).toBe(200);
    expect(site.body).toContain('Served by servirt from a virtual machine.');
  }, 1_500_000);

  it('hands over to the other replica when the leader pod is force-deleted during a change, losing nothing', async () => {
    const leader = await leaderPod();
    const [other] = (await operatorPods()).filter((pod) => pod.name !== leader);
    if (!other) throw new Error('no second replica');
    const zone = JSON.parse(await kubectl(['get', 'dnszone', 'example-com', '-n', TENANT, '-o', 'json']));
    const records = [
      ...zone.spec.records,
      { name: 'failover', type: 'TXT', value: 'written during a hand-over' },
    ];
    await kubectl([
      'patch',
      'dnszone',
      'example-com',
      '-n',
      TENANT,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { records } }),
    ]);
    const changedAt = Date.now();
    await kubectl(['delete', 'pod', leader, '-n', SYSTEM, '--grace-period=0', '--force']);
    await eventually(async () => (await leaderPod()) === other.name, 90_000, `${other.name} to lead`);
    for (const guest of ['ns1', 'ns2']) {
      await eventually(
        async () =>
          (await digAt(guest, 'failover.example.com', 'TXT')).data.join() === '"written during a hand-over"',
        180_000,
        `the record written during the hand-over on ${guest}`,
      );
    }
    console.log(
      `change made, leader pod force-deleted: served by ns1 and ns2 after ${Date.now() - changedAt} ms`,
    );
    expect((await digAt('ns2', 'mail.example.com', 'A')).data).toEqual(['192.0.2.25']);
    await eventually(
      async () => (await operatorPods()).filter((pod) => pod.ready && !pod.deleting).length === 2,
      180_000,
      'two Ready replicas again',
    );
  }, 600_000);

  it("runs the sample Benchmark's Jobs as pods and serves the report from the operator pod", async () => {
    const [benchmark] = readSamples().benchmarks;
    await kubectl(['apply', '-n', TENANT, '-f', '-'], JSON.stringify(benchmark));
    const name = benchmark?.metadata.name ?? '';
    let status: Benchmark['status'];
    await eventually(
      async () => {
        status = JSON.parse(await kubectl(['get', 'benchmark', name, '-n', TENANT, '-o', 'json'])).status;
        const phase = status?.runs?.[0]?.phase;
        return phase === 'Succeeded' || phase === 'Failed';
      },
      1_200_000,
      'the first run of the sample Benchmark',
    );
    const run = status?.runs?.[0];
    expect(run?.message ?? '').toBe('');
    expect(run?.phase).toBe('Succeeded');
    const results = run?.results ?? [];
    expect(results.map((r) => r.target).sort()).toEqual(['native', 'ns1', 'ns2']);
    for (const result of results) expect(result.qps ?? 0).toBeGreaterThan(0);
    console.log(
      `sample Benchmark: ${JSON.stringify(results.map((r) => ({ target: r.target, qps: r.qps })))}`,
    );
    const jobPods = await pods(TENANT, `job-name=${run?.jobName ?? ''}`);
    expect(jobPods.map((pod) => pod.node)).toEqual(jobPods.map(() => cluster.node.nodeName));
    expect(jobPods.length).toBeGreaterThan(0);
    const report = await cluster.getFromPod(
      SYSTEM,
      await metricsUrl(`/benchmarks/${TENANT}/${name}`),
      images.runner.image,
    );
    expect(report.status).toBe(200);
    expect(report.body).toContain('ns1');
    expect(report.body).toContain('native');
  }, 1_500_000);

  it('leaves no domain, volume, servirt object, pod or grant behind after the samples are deleted and helm uninstall', async () => {
    await kubectl([
      'delete',
      'benchmarks,websites,dnszones,guestdomains,virtualhosts',
      '--all',
      '-n',
      TENANT,
      '--wait=true',
      '--timeout=300s',
    ]).catch(async (error: Error) => {
      console.log(`still there after 300 s:\n${await readiness()}\n${await operatorLogs()}`);
      throw error;
    });
    expect(await leftovers(GUEST_PREFIX)).toEqual({ domains: [], volumes: [] });
    await cluster.helm(['uninstall', RELEASE, '--namespace', SYSTEM, '--wait', '--timeout', '3m']);
    await eventually(async () => (await operatorPods()).length === 0, 120_000, 'the operator pods gone');
    for (const kind of ['virtualhosts', 'guestdomains', 'dnszones', 'websites', 'benchmarks']) {
      expect(await kubectl(['get', `${kind}.servirt.dev`, '-A', '-o', 'name'])).toBe('');
    }
    // The Benchmark's Jobs and their pods go with it (garbage collection of owned objects).
    await eventually(
      async () => (await kubectl(['get', 'jobs,pods', '-n', TENANT, '-o', 'name'])) === '',
      120_000,
      "the Benchmark's Jobs and pods gone",
    );
    const selector = `app.kubernetes.io/instance=${RELEASE}`;
    const kinds = 'deployments,services,serviceaccounts,roles,rolebindings,configmaps,secrets';
    expect(await kubectl(['get', kinds, '-n', SYSTEM, '-l', selector, '-o', 'name'])).toBe('');
    expect(await kubectl(['get', 'clusterroles,clusterrolebindings', '-l', selector, '-o', 'name'])).toBe('');
  }, 600_000);
});
