// npm run bench:harness [-- --seconds 10 --rounds 3]
// What the Benchmark harness costs: dnsperf run by hand against a BIND, and the same dnsperf run
// through a Benchmark object (controller -> Job -> `servirt bench run` -> result ConfigMap) against
// the same BIND, alternating rounds. The Job runs as a local process standing for the kubelet
// (hack/jobs/localJobRunner.ts). Prints {directQps, harnessQps, ratio} last; target ratio >= 0.95.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { pino } from 'pino';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import { startLocalJobRunner } from '../../hack/jobs/localJobRunner.js';
import type { Benchmark } from '../../operator/src/api/types.generated.js';
import { startNativeBind } from '../../operator/src/bench/native/nativeBind.js';
import { dnsperfArgs, parseDnsperfSummary } from '../../operator/src/bench/tools/dnsperf.js';
import { BENCHMARKS } from '../../operator/src/controllers/benchmark/reconciler.js';
import { registerBenchmarkController } from '../../operator/src/controllers/benchmark/register.js';
import { CONFIG_MAPS, resourcePath } from '../../operator/src/kube/resourcePath.js';
import { Manager } from '../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../operator/src/manager/metrics.js';
import { clientFor } from '../integration/runtime/harness.js';
import { waitUntil } from './support.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const CLIENTS = 4;
const NAMESPACE = 'harness';
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

const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-harness-'));
const plane = await ControlPlane.start(dir, process.pid);
const bind = await startNativeBind('example.com', zoneFile);
const metrics = new OperatorMetrics(false);
let manager: Manager | undefined;
let jobs: Awaited<ReturnType<typeof startLocalJobRunner>> | undefined;
try {
  await installCrds(plane.kubeconfigPath);
  const client = await clientFor(plane.kubeconfigPath);
  await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: NAMESPACE } },
  });
  await client.request({
    method: 'POST',
    path: resourcePath(CONFIG_MAPS, { namespace: NAMESPACE }),
    body: { metadata: { name: 'queries' }, data: { 'queries.txt': queries } },
  });
  manager = new Manager(
    await clientFor(plane.kubeconfigPath, metrics),
    metrics,
    pino({ level: 'silent' }),
    {},
  );
  registerBenchmarkController(manager, { runnerImage: 'servirt:bench' });
  await manager.start();
  jobs = await startLocalJobRunner({ kubeconfig: plane.kubeconfigPath });

  const queriesFile = path.join(dir, 'queries.txt');
  await writeFile(queriesFile, queries);
  const direct = async () => {
    const args = dnsperfArgs({
      server: bind.endpoint.host,
      port: bind.endpoint.port,
      queriesFile,
      durationSeconds: seconds,
      clients: CLIENTS,
      threads: 1,
      timeoutSeconds: 5,
      verbose: false,
    });
    const { stdout } = await run('dnsperf', args, { maxBuffer: 16 * 1024 * 1024 });
    return parseDnsperfSummary(stdout).qps;
  };
  const throughHarness = async (round: number) => {
    const name = `harness-${round}`;
    const benchmark: Benchmark = {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'Benchmark',
      metadata: { name, namespace: NAMESPACE },
      spec: {
        type: 'dns',
        targets: [{ name: 'bind', kind: 'address', address: bind.endpoint.host, port: bind.endpoint.port }],
        duration: `${seconds}s`,
        repeats: 1,
        warmup: false,
        dns: { queriesConfigMapRef: { name: 'queries' }, clients: CLIENTS, threads: 1, timeoutSeconds: 5 },
      },
    };
    await client.request({
      method: 'POST',
      path: resourcePath(BENCHMARKS, { namespace: NAMESPACE }),
      body: benchmark,
    });
    let qps: number | undefined;
    await waitUntil(
      async () => {
        const current = await client.request<Benchmark>({
          method: 'GET',
          path: resourcePath(BENCHMARKS, { namespace: NAMESPACE, name }),
        });
        const latest = current.status?.runs?.[0];
        if (latest?.phase === 'Failed') throw new Error(`run failed: ${latest.message}`);
        qps = latest?.phase === 'Succeeded' ? latest.results?.[0]?.qps : undefined;
        return qps !== undefined;
      },
      (seconds + 120) * 1000,
    );
    return qps ?? 0;
  };

  const directQps: number[] = [];
  const harnessQps: number[] = [];
  await direct(); // warm-up, unrecorded
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so that neither always runs on a warmer machine.
    const pair =
      round % 2 === 0 ? [direct, () => throughHarness(round)] : [() => throughHarness(round), direct];
    const [first, second] = [
      await (pair[0] as () => Promise<number>)(),
      await (pair[1] as () => Promise<number>)(),
    ];
    const [d, h] = round % 2 === 0 ? [first, second] : [second, first];
    directQps.push(d);
    harnessQps.push(h);
    log(`round ${round + 1}: direct ${Math.round(d)} q/s, harness ${Math.round(h)} q/s`);
  }
  const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
  const result = {
    directQps: Math.round(mean(directQps)),
    harnessQps: Math.round(mean(harnessQps)),
    ratio: Math.round((mean(harnessQps) / mean(directQps)) * 1000) / 1000,
    rounds,
    seconds,
  };
  console.log(JSON.stringify(result));
} finally {
  await jobs?.stop();
  await manager?.stop();
  await bind.stop();
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
