// The operator as users run it: the chart installed with `helm install` on a real node (images
// built from the project's Dockerfile, no registry), two replicas under the enforced `restricted`
// Pod Security Standard, in-cluster configuration, leader election, metrics through its Service;
// the leader pod force-deleted in the middle of a change; `helm uninstall` leaves nothing.
import path from 'node:path';
import { repoDir } from '../../hack/cluster/tools.js';
import { buildImages, type BuiltImages } from '../../hack/image/images.js';
import { eventually } from '../integration/operatorProcess.js';
import { splitImage, startNodeCluster, type NodeCluster } from './nodeCluster.js';

const NAMESPACE = 'servirt-system';
const RELEASE = 'servirt';
const LEASE = 'servirt-operator';

interface PodView {
  name: string;
  ready: boolean;
  deleting: boolean;
}

describe('the operator installed with Helm on a real node', () => {
  let images: BuiltImages;
  let cluster: NodeCluster;
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input);

  const operatorPods = async (): Promise<PodView[]> => {
    const list = JSON.parse(
      await kubectl(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/name=servirt', '-o', 'json']),
    ) as {
      items: {
        metadata: { name: string; deletionTimestamp?: string };
        status: { conditions?: { type: string; status: string }[] };
      }[];
    };
    return list.items.map((pod) => ({
      name: pod.metadata.name,
      ready: pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      deleting: pod.metadata.deletionTimestamp !== undefined,
    }));
  };
  /** The leader's pod: the Lease's holder is <pod name>_<random>. */
  const leaderPod = async () => {
    const holder = await kubectl([
      'get',
      'lease',
      LEASE,
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    return holder.trim().replace(/_[^_]*$/, '');
  };
  const createHost = (name: string) =>
    kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'servirt.dev/v1alpha1',
        kind: 'VirtualHost',
        metadata: { name, namespace: 'tenant' },
        // libvirt's test driver lives inside virsh (the image's libvirt-clients): no host needed
        // to see a change reconciled.
        spec: { provider: 'libvirt', libvirt: { uri: 'test:///default', hypervisor: 'qemu' } },
      }),
    );
  const reconciled = async (name: string) => {
    const host = JSON.parse(await kubectl(['get', 'vh', name, '-n', 'tenant', '-o', 'json']));
    return host.status?.observedGeneration === host.metadata.generation;
  };

  beforeAll(async () => {
    images = await buildImages();
    cluster = await startNodeCluster('op', images);
  }, 40 * 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('comes up Ready with two replicas under the enforced restricted Pod Security Standard', async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await kubectl(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=restricted']);
    await kubectl(['create', 'namespace', 'tenant']);
    const operator = splitImage(images.operator.image);
    const runner = splitImage(images.runner.image);
    const started = Date.now();
    await cluster.helm([
      'install',
      RELEASE,
      path.join(repoDir, 'charts/servirt'),
      '--namespace',
      NAMESPACE,
      '--set',
      `replicaCount=2,image.repository=${operator.repository},image.tag=${operator.tag},image.pullPolicy=Never`,
      '--set',
      `runnerImage.repository=${runner.repository},runnerImage.tag=${runner.tag}`,
      '--wait',
      '--timeout',
      '5m',
    ]);
    console.log(`helm install --wait: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const pods = await operatorPods();
    expect(pods).toHaveLength(2);
    expect(pods.every((pod) => pod.ready)).toBe(true);
    await eventually(async () => (await leaderPod()) !== '', 60_000, 'a leader');
    expect(pods.map((pod) => pod.name)).toContain(await leaderPod());
  }, 420_000);

  it('serves its metrics through its Service to a pod in the cluster', async () => {
    const clusterIp = (
      await kubectl([
        'get',
        'service',
        `${RELEASE}-metrics`,
        '-n',
        NAMESPACE,
        '-o',
        'jsonpath={.spec.clusterIP}',
      ])
    ).trim();
    const scrape = `require('http').get('http://${clusterIp}:8080/metrics', (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => console.log(r.statusCode + '\\n' + b)); }).on('error', (e) => { console.log('error ' + e.message); process.exit(1); });`;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'scrape', namespace: NAMESPACE },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'scrape',
            image: images.runner.image,
            imagePullPolicy: 'Never',
            command: ['node', '-e', scrape],
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    };
    await kubectl(['create', '-f', '-'], JSON.stringify(pod));
    await eventually(
      async () =>
        ['Succeeded', 'Failed'].includes(
          await kubectl(['get', 'pod', 'scrape', '-n', NAMESPACE, '-o', 'jsonpath={.status.phase}']),
        ),
      120_000,
      'the scrape pod to end',
    );
    const logs = await kubectl(['logs', 'scrape', '-n', NAMESPACE]);
    expect(logs.split('\n')[0]).toBe('200');
    // The replica that answered reaches the API server in-cluster: through the kubernetes Service.
    expect(logs).toMatch(/^rest_client_requests_total\{code="200",method="GET",host="10\.96\.0\.1"\} \d+$/m);
    await kubectl(['delete', 'pod', 'scrape', '-n', NAMESPACE, '--wait=false']);
  }, 180_000);

  it('hands over to the other replica when the leader pod is force-deleted during a change, losing nothing', async () => {
    await createHost('one');
    await eventually(() => reconciled('one'), 60_000, 'host one reconciled by the leader');
    const leader = await leaderPod();
    const [other] = (await operatorPods()).filter((pod) => pod.name !== leader);
    if (!other) throw new Error('no second replica');
    await kubectl(['delete', 'pod', leader, '-n', NAMESPACE, '--grace-period=0', '--force']);
    await createHost('two');
    const killedAt = Date.now();
    await eventually(async () => (await leaderPod()) === other.name, 90_000, `${other.name} to lead`);
    await eventually(() => reconciled('two'), 60_000, 'host two reconciled by the new leader');
    console.log(
      `leader pod force-deleted; change reconciled by the other replica after ${Date.now() - killedAt} ms`,
    );
    expect(await reconciled('one')).toBe(true);
    // The Deployment replaced the deleted pod: two Ready replicas again.
    await eventually(
      async () => (await operatorPods()).filter((pod) => pod.ready && !pod.deleting).length === 2,
      180_000,
      'two Ready replicas again',
    );
  }, 420_000);

  it('leaves no servirt object, pod or cluster-wide grant behind after the samples are deleted and helm uninstall', async () => {
    await kubectl(['delete', 'vh', '--all', '-n', 'tenant', '--wait=true', '--timeout=120s']);
    await cluster.helm(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait', '--timeout', '3m']);
    await eventually(async () => (await operatorPods()).length === 0, 120_000, 'the operator pods gone');
    for (const kind of ['virtualhosts', 'guestdomains', 'dnszones', 'websites', 'benchmarks']) {
      expect(await kubectl(['get', `${kind}.servirt.dev`, '-A', '-o', 'name'])).toBe('');
    }
    const selector = `app.kubernetes.io/instance=${RELEASE}`;
    expect(
      await kubectl([
        'get',
        'deployments,services,serviceaccounts,roles,rolebindings,configmaps,secrets,jobs',
        '-n',
        NAMESPACE,
        '-l',
        selector,
        '-o',
        'name',
      ]),
    ).toBe('');
    expect(await kubectl(['get', 'clusterroles,clusterrolebindings', '-l', selector, '-o', 'name'])).toBe('');
  }, 300_000);
});
