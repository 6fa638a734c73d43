// npm run local (after hack/setup.sh): servirt the way users run it, on this machine. A control
// plane with the full controller manager and scheduler, a real node (containerd, kubelet,
// kube-proxy in a namespace of its own: hack/cluster/node.ts), the operator and runner images
// built from the Dockerfile, the chart installed with `helm install` (two replicas, Pod Security
// `restricted`), this machine's libvirtd reached by the operator pod over SSH at the node's veth
// address, the samples (config/samples, rewritten for that: hack/cluster/nodeSamples.ts) up, and
// the sample Benchmark run as Job pods. A previous local run is stopped first; this one keeps
// running until `npm run local:down`.
import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { startClusterControllers } from '../cluster/clusterControllers.js';
import { ControlPlane } from '../cluster/controlPlane.js';
import { startHostSshd } from '../cluster/hostSshd.js';
import { LocalNode } from '../cluster/node.js';
import { splitImage } from '../cluster/nodeCluster.js';
import { readSamples, samplesForNode } from '../cluster/nodeSamples.js';
import { repoDir, toolPath } from '../cluster/tools.js';
import type { BuiltImages } from '../image/images.js';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { CLUSTER_DIR, LOCAL_DIR, NODE_NAME, saveState, stopLocal, type LocalState } from './state.js';
import { Steps } from './steps.js';

const run = promisify(execFile);
const steps = new Steps();
const SYSTEM = 'servirt-system';
const hack = (script: string) => path.join(repoDir, 'hack', script);

/** Runs a hack script with its progress (stderr) shown; resolves to its stdout. */
function script(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [hack(file), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`hack/${file} exited with ${code}`)),
    );
  });
}
const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

await mkdir(LOCAL_DIR, { recursive: true });
await steps.step('stop a previous local run', () => stopLocal((line) => steps.log(`  ${line}`)));
await steps.step('Go tools (kube-apiserver, etcd, kubelet, kube-proxy, kubectl, helm, …)', () =>
  script('build-go-tools.sh'),
);
const guestImage = await steps.step('guest image (Debian 12, debootstrap)', async () =>
  lastLine(await script('guest-image/build.sh')),
);
await steps.step('libvirtd, the guest image in its pool', async () => {
  await script('libvirt/up.sh');
  await script('libvirt/load-image.sh', [guestImage]);
});
const images = await steps.step('operator and runner images (buildah)', async () => {
  return JSON.parse(lastLine(await script('image/build.sh'))) as BuiltImages;
});

const state: LocalState = { controllerPids: [], nodePids: [] };
const plane = await steps.step('control plane (etcd, kube-apiserver)', () => ControlPlane.start(CLUSTER_DIR));
const kubectl = async (args: string[], input?: string) => {
  const child = run(await toolPath('kubectl'), ['--kubeconfig', plane.kubeconfigPath, ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout;
};
try {
  const controllers = await steps.step('kube-controller-manager, kube-scheduler', () =>
    startClusterControllers(plane),
  );
  state.controllerPids = controllers.pids;
  await saveState(state);
  const node = await steps.step('node (containerd, kubelet, kube-proxy; images loaded)', () =>
    LocalNode.start({
      name: NODE_NAME,
      plane,
      imageArchives: [images.pause.archive, images.operator.archive, images.runner.archive],
      sandboxImage: images.pause.image,
    }),
  );
  state.nodePids = node.processIds;
  await saveState(state);
  const hostAddress = node.place.hostAddress;
  const hostKey = generateEd25519('servirt-local-libvirt-host');
  const operatorKey = generateEd25519('servirt-operator');
  const sshd = await steps.step(`sshd for libvirt on ${hostAddress}`, () =>
    startHostSshd({
      hostPrivateKey: hostKey.private,
      authorizedKey: operatorKey.public,
      listenAddress: hostAddress,
      dir: path.join(LOCAL_DIR, 'sshd'),
    }),
  );
  Object.assign(state, { sshdPid: sshd.pid, sshdDir: sshd.dir });
  await saveState(state);

  await steps.step('helm install (2 replicas, Pod Security restricted)', async () => {
    await kubectl(['create', 'namespace', SYSTEM]);
    await kubectl(['label', 'namespace', SYSTEM, 'pod-security.kubernetes.io/enforce=restricted']);
    const { repository, tag } = splitImage(images.operator.image);
    const { repository: runnerRepository, tag: runnerTag } = splitImage(images.runner.image);
    await run(
      await toolPath('helm'),
      [
        '--kubeconfig',
        plane.kubeconfigPath,
        'install',
        'servirt',
        path.join(repoDir, 'charts/servirt'),
        '--namespace',
        SYSTEM,
        '--set',
        `replicaCount=2,image.repository=${repository},image.tag=${tag},image.pullPolicy=Never`,
        '--set',
        `runnerImage.repository=${runnerRepository},runnerImage.tag=${runnerTag}`,
        '--wait',
        '--timeout',
        '5m',
      ],
      { timeout: 330_000 },
    );
  });
  const samples = readSamples();
  await steps.step('samples applied', async () => {
    const manifests = samplesForNode(samples.servers, {
      hostAddress,
      sshPort: sshd.port,
      clientPrivateKey: operatorKey.private,
      hostPublicKey: hostKey.public,
    });
    for (const manifest of manifests)
      await kubectl(['apply', '-n', 'default', '-f', '-'], JSON.stringify(manifest));
  });
  steps.log(`samples applied, ${steps.elapsed()} after the start`);

  /** name=reason of each object's condition (a guest's GuestReady says how far its boot is). */
  const phases =
    (kind: string, condition = 'Ready') =>
    () =>
      kubectl([
        'get',
        kind,
        '-n',
        'default',
        '-o',
        `jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="${condition}")].reason} {end}`,
      ]);
  const wait = (kind: string, names: string[], timeout: string) =>
    kubectl([
      'wait',
      '--for=condition=Ready',
      '-n',
      'default',
      `--timeout=${timeout}`,
      ...names.map((n) => `${kind}/${n}`),
    ]).catch(async () => steps.log(`  not Ready yet: ${await phases(kind)()} (kubectl describe ${kind})`));
  await steps.step(
    'sample guests Ready (QEMU software emulation: a few minutes)',
    () => wait('guestdomain', ['ns1', 'ns2', 'web1'], '15m'),
    phases('guestdomains', 'GuestReady'),
  );
  await steps.step('sample zone and site Ready', async () => {
    await wait('dnszone', ['example-com'], '5m');
    await wait('website', ['www'], '5m');
  });
  await kubectl(['get', 'servirt', '-n', 'default']).then((text) => process.stderr.write(text));

  const [benchmark] = samples.benchmarks;
  const name = benchmark?.metadata.name ?? '';
  await steps.step(
    'sample Benchmark (Job pods on the node)',
    async () => {
      await kubectl(['apply', '-n', 'default', '-f', '-'], JSON.stringify(benchmark));
      await kubectl([
        'wait',
        `--for=jsonpath={.status.runs[0].phase}=Succeeded`,
        `benchmark/${name}`,
        '-n',
        'default',
        '--timeout=20m',
      ]).catch(() => steps.log(`  not finished yet: kubectl describe benchmark ${name}`));
    },
    () =>
      kubectl(['get', 'pods', '-n', 'default', '-l', 'servirt.dev/benchmark-role=runner', '--no-headers']),
  );
  const results = await kubectl([
    'get',
    'benchmark',
    name,
    '-n',
    'default',
    '-o',
    'jsonpath={range .status.runs[0].results[*]}{.target}{"\\t"}{.qps}{" q/s\\tp99 "}{.latencyP99Ms}{" ms\\tratio "}{.ratioToBaseline}{"\\n"}{end}',
  ]);
  process.stderr.write(results);

  const port = (guest: string, guestPort: number) => {
    const sample = samples.servers.find((m) => m.kind === 'GuestDomain' && m.metadata.name === guest);
    const forwards = (sample?.spec.network as { hostForwards: { guestPort: number; hostPort: number }[] })
      .hostForwards;
    return forwards.find((f) => f.guestPort === guestPort)?.hostPort;
  };
  process.stderr.write(
    [
      '',
      'use it: source hack/env.sh',
      `  kubectl get servirt                                   (the samples, namespace default)`,
      `  dig @${hostAddress} -p ${port('ns1', 53)} www.example.com     (ns1; ns2: port ${port('ns2', 53)})`,
      `  curl -H 'Host: www.example.com' http://${hostAddress}:${port('web1', 80)}/`,
      `  kubectl port-forward -n ${SYSTEM} svc/servirt-metrics 8080:8080, then`,
      `    http://127.0.0.1:8080/benchmarks/default/${name}   (the report), /metrics`,
      'stop it all: npm run local:down',
      '',
      steps.table(),
      '',
    ].join('\n'),
  );
} catch (error) {
  steps.log(`failed: ${(error as Error).message}`);
  steps.log(
    'what runs stays up for a look (logs in .local/cluster and /run/servirt-node-local); npm run local:down stops it',
  );
  process.stderr.write(`${steps.table()}\n`);
  process.exitCode = 1;
}
