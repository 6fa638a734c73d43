// npm run bench:harness [-- --seconds 10 --rounds 5]
// What running a benchmark as a pod costs: dnsperf run by hand on this machine, and the same
// dnsperf run through a Benchmark object (the Benchmark controller -> a Job -> a pod of the
// runner image on a real node, hack/cluster/node.ts -> `servirt bench run` -> result ConfigMap ->
// status), against the same BIND (2,000 A records) on the node's veth address, with the same
// queries, clients, duration and timeout, in alternating rounds. Both sides must get answers
// (NOERROR) for the round to count.
// The shortcut: the Benchmark controller runs in this process (the operator's Manager, not the
// operator pod; helm install is measured by test/e2e/operatorPod.test.ts); it only creates the
// Job and reads its result, and is outside both dnsperf timings.
// hostWallS: dnsperf's process, spawn to exit. podWallS: the Benchmark created to its run
// Succeeded in status (pod start, the runner, the result's way back).
// A third side, nodeQps: the same hand-run dnsperf inside the node's network namespace. A fourth,
// hostNetworkPodQps: the Benchmark with runner.hostNetwork (its pod in the node's network, in a
// namespace whose Pod Security level allows it); nodeRatio = hostNetworkPodQps / nodeQps is the
// harness's own cost with the pod network taken out.
// Prints every sample, then {podQps, hostQps, ratio, podWallS, hostWallS, nodeQps, nodeRatio, …}
// (medians) last; expected ratio >= 0.95.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { pino } from 'pino';
import { installCrds } from '../../hack/cluster/crds.js';
import { startNodeCluster, type NodeCluster } from '../../hack/cluster/nodeCluster.js';
import { buildImages } from '../../hack/image/images.js';
import type { Benchmark } from '../../operator/src/api/types.generated.js';
import { startNativeBind, type NativeServer } from '../../operator/src/bench/native/nativeBind.js';
import { dnsperfArgs, parseDnsperfSummary } from '../../operator/src/bench/tools/dnsperf.js';
import { BENCHMARKS } from '../../operator/src/controllers/benchmark/reconciler.js';
import { registerBenchmarkController } from '../../operator/src/controllers/benchmark/register.js';
import { CONFIG_MAPS, resourcePath } from '../../operator/src/kube/resourcePath.js';
import { Manager } from '../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../operator/src/manager/metrics.js';
import { clientFor } from '../integration/runtime/harness.js';
import { median, waitUntil } from './support.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '5' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const CLIENTS = 4;
const TIMEOUT_SECONDS = 5;
const NAMESPACE = 'harness';
const HOST_NETWORK_NAMESPACE = 'harness-hostnet';
const log = (line: string) => process.stderr.write(`${line}\n`);
const run = promisify(execFile);

const names = Array.from({ length: 2000 }, (_, i) => `h${i}`);
const zoneFile = [
  '$TTL 300',
  '@ SOA ns1 hostmaster 1 3600 600 86400 300',
  '@ NS ns1',
  'ns1 A 127.0.0.1',
  ...names.map((name, i) => `${name} A 192.0.2.${(i % 250) + 1}`),
  '',
].join('\n');
const queries = names.map((name) => `${name}.example.com A`).join('\n') + '\n';

interface Sample {
  qps: number;
  wallS: number;
}

log('building the images (cached) and starting a cluster with a node');
const images = await buildImages();
const cluster: NodeCluster = await startNodeCluster('bench', images);
let bind: NativeServer | undefined;
let manager: Manager | undefined;
try {
  const kubeconfig = cluster.plane.kubeconfigPath;
  await installCrds(kubeconfig);
  // On the root side of the node's veth pair: this machine's dnsperf and the node's pods reach it.
  bind = await startNativeBind('example.com', zoneFile, cluster.node.place.hostAddress);
  const server = bind.endpoint;
  const client = await clientFor(kubeconfig);
  for (const [namespace, level] of [
    [NAMESPACE, 'restricted'],
    [HOST_NETWORK_NAMESPACE, 'privileged'],
  ] as const) {
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': level } } },
    });
    await client.request({
      method: 'POST',
      path: resourcePath(CONFIG_MAPS, { namespace }),
      body: { metadata: { name: 'queries' }, data: { 'queries.txt': queries } },
    });
  }
  const metrics = new OperatorMetrics(false);
  manager = new Manager(await clientFor(kubeconfig, metrics), metrics, pino({ level: 'silent' }), {});
  registerBenchmarkController(manager, { runnerImage: images.runner.image });
  await manager.start();

  const queriesFile = path.join(cluster.plane.dir, 'queries.txt');
  await writeFile(queriesFile, queries);
  /** The hand-run dnsperf: on this machine, or (inNode) in the node's network namespace, as on a node. */
  const onHost = async (inNode = false): Promise<Sample> => {
    const args = dnsperfArgs({
      server: server.host,
      port: server.port,
      queriesFile,
      durationSeconds: seconds,
      clients: CLIENTS,
      threads: 1,
      timeoutSeconds: TIMEOUT_SECONDS,
      verbose: false,
    });
    const started = process.hrtime.bigint();
    const [command, argv] = inNode
      ? ['nsenter', [`--net=${cluster.node.place.netns}`, 'dnsperf', ...args]]
      : ['dnsperf', args];
    const { stdout } = await run(command as string, argv as string[], { maxBuffer: 16 * 1024 * 1024 });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = parseDnsperfSummary(stdout);
    if (!(summary.responseCodes.NOERROR ?? 0))
      throw new Error(`dnsperf (${command}) got no answers: ${stdout}`);
    return { qps: summary.qps, wallS };
  };
  const inPod = async (round: number | 'warmup', hostNetwork = false): Promise<Sample> => {
    const name = `harness-${round}`;
    const namespace = hostNetwork ? HOST_NETWORK_NAMESPACE : NAMESPACE;
    const benchmark: Benchmark = {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'Benchmark',
      metadata: { name, namespace },
      spec: {
        ...(hostNetwork && { runner: { hostNetwork: true } }),
        type: 'dns',
        targets: [{ name: 'bind', kind: 'address', address: server.host, port: server.port }],
        duration: `${seconds}s`,
        repeats: 1,
        warmup: false,
        dns: {
          queriesConfigMapRef: { name: 'queries' },
          clients: CLIENTS,
          threads: 1,
          timeoutSeconds: TIMEOUT_SECONDS,
        },
      },
    };
    const started = process.hrtime.bigint();
    await client.request({
      method: 'POST',
      path: resourcePath(BENCHMARKS, { namespace }),
      body: benchmark,
    });
    let qps: number | undefined;
    await waitUntil(
      async () => {
        const current = await client.request<Benchmark>({
          method: 'GET',
          path: resourcePath(BENCHMARKS, { namespace, name }),
        });
        const latest = current.status?.runs?.[0];
        if (latest?.phase === 'Failed') throw new Error(`run failed: ${latest.message}`);
        qps = latest?.phase === 'Succeeded' ? latest.results?.[0]?.qps : undefined;
        return qps !== undefined;
      },
      (seconds + 180) * 1000,
      100,
    );
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    if (!qps) throw new Error(`the pod's dnsperf got no answers (round ${round})`);
    return { qps, wallS };
  };

  const host: Sample[] = [];
  const node: Sample[] = [];
  const pod: Sample[] = [];
  const hostNetworkPod: Sample[] = [];
  log('warm-up (unrecorded): one run of each');
  await onHost();
  await onHost(true);
  await inPod('warmup');
  await inPod('warmup', true);
  for (let round = 0; round < rounds; round++) {
    // Rotate which goes first, so that none always runs on a warmer machine.
    const sides = [
      async () => host.push(await onHost()),
      async () => node.push(await onHost(true)),
      async () => pod.push(await inPod(round)),
      async () => hostNetworkPod.push(await inPod(round, true)),
    ];
    for (let i = 0; i < sides.length; i++)
      await (sides[(round + i) % sides.length] as () => Promise<number>)();
    const [h, n, p, hp] = [host, node, pod, hostNetworkPod].map((side) => side.at(-1) as Sample) as Sample[];
    log(
      `round ${round + 1}: host ${Math.round(h?.qps ?? 0)} q/s in ${h?.wallS.toFixed(2)} s, node ${Math.round(n?.qps ?? 0)} q/s, pod ${Math.round(p?.qps ?? 0)} q/s in ${p?.wallS.toFixed(2)} s, pod on the node's network ${Math.round(hp?.qps ?? 0)} q/s`,
    );
  }
  const round2 = (value: number) => Math.round(value * 100) / 100;
  const podQps = median(pod.map((s) => s.qps));
  const hostQps = median(host.map((s) => s.qps));
  console.log(
    JSON.stringify({
      podQps: Math.round(podQps),
      hostQps: Math.round(hostQps),
      ratio: Math.round((podQps / hostQps) * 1000) / 1000,
      podWallS: round2(median(pod.map((s) => s.wallS))),
      hostWallS: round2(median(host.map((s) => s.wallS))),
      // The same dnsperf by hand in the node's network namespace (a node's own network, no pod):
      // how much of the pod's cost is the crossing into the node, how much the pod network.
      nodeQps: Math.round(median(node.map((s) => s.qps))),
      hostNetworkPodQps: Math.round(median(hostNetworkPod.map((s) => s.qps))),
      nodeRatio:
        Math.round((median(hostNetworkPod.map((s) => s.qps)) / median(node.map((s) => s.qps))) * 1000) / 1000,
      rounds,
      seconds,
      samples: {
        podQps: pod.map((s) => Math.round(s.qps)),
        hostQps: host.map((s) => Math.round(s.qps)),
        podWallS: pod.map((s) => round2(s.wallS)),
        hostWallS: host.map((s) => round2(s.wallS)),
        nodeQps: node.map((s) => Math.round(s.qps)),
        hostNetworkPodQps: hostNetworkPod.map((s) => Math.round(s.qps)),
      },
    }),
  );
} finally {
  await manager?.stop();
  await bind?.stop();
  await cluster.stop();
}
