// The Benchmark controller against a real API server and real named, dnsperf and Chromium: two
// stand-in guests (named behind a real sshd, ../standIn/guests.ts) serve a DnsZone as primary and
// secondary; the benchmark compares them with native BIND started by the runner. No kubelet runs
// here: hack/jobs/localJobRunner.ts runs each Job's container command as a local process with the
// Job's environment and ServiceAccount token, standing for the kubelet.
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { pino } from 'pino';
import type { Benchmark } from '../../../operator/src/api/types.generated.js';
import { BENCHMARKS } from '../../../operator/src/controllers/benchmark/reconciler.js';
import { registerBenchmarkController } from '../../../operator/src/controllers/benchmark/register.js';
import { createHttpEndpoints } from '../../../operator/src/manager/httpEndpoints.js';
import { Manager } from '../../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { JOBS, resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { freePort } from '../../../hack/cluster/processes.js';
import { startLocalJobRunner, type LocalJobRunner } from '../../../hack/jobs/localJobRunner.js';
import { kubectl, testKubeconfig } from '../cluster.js';
import { startDnsEnvironment, type DnsEnvironment } from '../dnszone/environment.js';
import { clientFor, eventually } from '../runtime/harness.js';
import { decodePng, countColor } from '../report/png.js';
import { screenshot } from '../report/screenshot.js';

jest.setTimeout(300_000);

const NAMESPACE = 'bench-it';
const records = Array.from({ length: 50 }, (_, i) => ({
  name: `h${i}`,
  type: 'A' as const,
  value: `192.0.2.${i + 1}`,
}));

const benchmark = (name: string, targets: Benchmark['spec']['targets']): Benchmark => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'Benchmark',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    type: 'dns',
    targets,
    baseline: 'native',
    duration: '2s',
    repeats: 2,
    warmup: true,
    dns: { zoneRef: { name: 'example-com' }, clients: 2, threads: 1, timeoutSeconds: 1 },
  },
});

const threeTargets: Benchmark['spec']['targets'] = [
  { name: 'primary', kind: 'guestDomain', guestRef: { name: 'ns1' } },
  { name: 'secondary', kind: 'guestDomain', guestRef: { name: 'ns2' } },
  { name: 'native', kind: 'native' },
];

describe('Benchmark: dnsperf Jobs against a primary, a secondary and native BIND', () => {
  let env: DnsEnvironment;
  let manager: Manager;
  let jobs: LocalJobRunner;
  let http: Server;
  let httpPort: number;

  const getBenchmark = async (name: string) =>
    env.client
      .request<Benchmark>({ method: 'GET', path: resourcePath(BENCHMARKS, { namespace: NAMESPACE, name }) })
      .catch(() => undefined);
  const ready = (b: Benchmark | undefined) => b?.status?.conditions?.find((c) => c.type === 'Ready');
  const finished = async (name: string) => {
    await eventually(async () => {
      const runs = (await getBenchmark(name))?.status?.runs;
      return runs?.[0]?.phase === 'Succeeded' || runs?.[0]?.phase === 'Failed';
    }, 180_000);
    return (await getBenchmark(name)) as Benchmark;
  };

  beforeAll(async () => {
    env = await startDnsEnvironment(testKubeconfig(), NAMESPACE, ['ns1', 'ns2']);
    await env.applyZone({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'DnsZone',
      metadata: { name: 'example-com', namespace: NAMESPACE },
      spec: {
        origin: 'example.com',
        primary: { guestRef: { name: 'ns1' } },
        secondaries: [{ guestRef: { name: 'ns2' } }],
        records,
      },
    });
    await eventually(
      async () =>
        (await env.getZone('example-com'))?.status?.conditions?.some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ) ?? false,
      60_000,
    );
    const metrics = new OperatorMetrics(false);
    manager = new Manager(await clientFor(testKubeconfig(), metrics), metrics, pino({ level: 'silent' }), {});
    const { benchmarkReport } = registerBenchmarkController(manager, { runnerImage: 'servirt:test' });
    await manager.start();
    http = createHttpEndpoints({ healthy: () => true, ready: () => true }, metrics.registry, {
      benchmarkReport,
    });
    httpPort = await freePort();
    await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));
    jobs = await startLocalJobRunner({ kubeconfig: testKubeconfig() });
  });

  afterAll(async () => {
    await jobs?.stop();
    await new Promise((resolve) => http?.close(resolve));
    await manager?.stop();
    await env?.stop();
  });

  it('rejects a bad spec at admission', async () => {
    const bad = [
      [{ ...benchmark('bad-kind', [{ name: 'x', kind: 'vm' as 'native' }]) }, /Unsupported value: "vm"/],
      [
        {
          ...benchmark('zero', threeTargets),
          spec: { ...benchmark('zero', threeTargets).spec, duration: '0s' },
        },
        /duration must be more than zero/,
      ],
      [
        {
          ...benchmark('no-base', threeTargets),
          spec: { ...benchmark('no-base', threeTargets).spec, baseline: 'elsewhere' },
        },
        /baseline elsewhere is not the name of a target/,
      ],
    ] as const;
    for (const [object, message] of bad) {
      const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(object));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
  });

  it('measures the three targets in one Job per repeat and compares them with the baseline', async () => {
    await env.client.request({
      method: 'POST',
      path: resourcePath(BENCHMARKS, { namespace: NAMESPACE }),
      body: benchmark('dns-three', threeTargets),
    });
    const done = await finished('dns-three');
    const run = done.status?.runs?.[0];
    console.log(JSON.stringify(run?.results));
    expect(run?.phase).toBe('Succeeded');
    expect(ready(done)?.status).toBe('True');
    expect(run?.repeatsDone).toBe(2);
    expect(run?.results?.map((r) => r.target)).toEqual(['primary', 'secondary', 'native']);
    for (const result of run?.results ?? []) {
      expect(result.failed).toBeUndefined();
      expect(result.samples).toBe(2);
      expect(result.qps).toBeGreaterThan(100);
      expect(result.latencyAvgMs).toBeGreaterThan(0);
      expect(result.latencyP50Ms).toBeLessThanOrEqual(result.latencyP99Ms ?? 0);
      expect(result.responseCodes?.NOERROR).toBeGreaterThan(0);
      expect(result.warmupThroughput).toBeGreaterThan(0);
      expect(result.ratioToBaseline).toBeGreaterThan(0);
    }
    expect(run?.results?.find((r) => r.target === 'native')?.ratioToBaseline).toBe(1);

    // The Jobs the API server accepted: one per repeat, the runner command, the plan in the environment.
    const accepted = await env.client.request<{
      items: {
        metadata: { name: string };
        spec: { template: { spec: { containers: { command: string[] }[] } } };
      }[];
    }>({
      method: 'GET',
      path: resourcePath(JOBS, { namespace: NAMESPACE }),
      query: { labelSelector: 'servirt.dev/benchmark=dns-three' },
    });
    expect(accepted.items.map((j) => j.metadata.name).sort()).toEqual([
      `dns-three-${run?.id}-1`,
      `dns-three-${run?.id}-2`,
    ]);
    expect(accepted.items[0]?.spec.template.spec.containers[0]?.command).toEqual([
      'node',
      'dist/operator/src/cli/main.js',
      'bench',
      'run',
    ]);
    expect(jobs.runs.filter((r) => r.namespace === NAMESPACE).every((r) => r.exitCode === 0)).toBe(true);

    // The report, saved in a ConfigMap and served by the operator, rendered by Chromium.
    const report = await kubectl([
      'get',
      'configmap',
      'dns-three-report',
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.data.report\\.html}',
    ]);
    expect(report.stdout).toContain('<svg');
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-report-')), 'report.png');
    await screenshot(`http://127.0.0.1:${httpPort}${done.status?.reportPath}`, file, {
      width: 1000,
      height: 700,
    });
    console.log(`report screenshot: ${file}`);
    const png = decodePng(await readFile(file));
    expect(countColor(png, [0x25, 0x63, 0xeb], 8)).toBeGreaterThan(500); // the guests' bars
    expect(countColor(png, [0x6b, 0x72, 0x80], 8)).toBeGreaterThan(5000); // the baseline's bar
  });

  it('gives a target that is down a failed result with a reason, and still measures the others', async () => {
    const deadPort = await freePort();
    await env.client.request({
      method: 'POST',
      path: resourcePath(BENCHMARKS, { namespace: NAMESPACE }),
      body: {
        ...benchmark('with-down', [
          ...threeTargets.filter((t) => t.name !== 'secondary'),
          { name: 'down', kind: 'address', address: '127.0.0.1', port: deadPort },
          { name: 'missing', kind: 'guestDomain', guestRef: { name: 'ns9' } },
        ]),
        spec: {
          ...benchmark('with-down', threeTargets).spec,
          targets: [
            ...threeTargets.filter((t) => t.name !== 'secondary'),
            { name: 'down', kind: 'address', address: '127.0.0.1', port: deadPort },
            { name: 'missing', kind: 'guestDomain', guestRef: { name: 'ns9' } },
          ],
          repeats: 1,
        },
      },
    });
    const done = await finished('with-down');
    const results = new Map(done.status?.runs?.[0]?.results?.map((r) => [r.target, r]));
    expect(results.get('primary')?.qps).toBeGreaterThan(100);
    expect(results.get('native')?.qps).toBeGreaterThan(100);
    expect(results.get('down')).toMatchObject({ failed: true, reason: 'NoAnswers' });
    expect(results.get('missing')).toMatchObject({ failed: true, reason: 'GuestNotFound' });
    expect(ready(done)).toMatchObject({ status: 'False', reason: 'TargetsFailed' });
    expect(ready(done)?.message).toMatch(/down \(NoAnswers/);
  });

  it('measures http with wrk and cpu with sysbench, native and in a guest over the guest channel', async () => {
    const site = createServer((_request, response) => response.writeHead(200).end('hello\n'));
    const sitePort = await freePort();
    await new Promise<void>((resolve) => site.listen(sitePort, '127.0.0.1', resolve));
    try {
      const http: Benchmark = {
        apiVersion: 'servirt.dev/v1alpha1',
        kind: 'Benchmark',
        metadata: { name: 'http-two', namespace: NAMESPACE },
        spec: {
          type: 'http',
          targets: [
            { name: 'by-url', kind: 'url', url: `http://127.0.0.1:${sitePort}/` },
            { name: 'by-address', kind: 'address', address: '127.0.0.1', port: sitePort },
          ],
          baseline: 'by-url',
          duration: '1s',
          repeats: 1,
          http: { connections: 4, threads: 1 },
        },
      };
      const cpu: Benchmark = {
        apiVersion: 'servirt.dev/v1alpha1',
        kind: 'Benchmark',
        metadata: { name: 'cpu-two', namespace: NAMESPACE },
        spec: {
          type: 'cpu',
          // ns1's "guest" is this machine behind a real sshd: sysbench runs over the guest channel.
          targets: [
            { name: 'guest', kind: 'guestDomain', guestRef: { name: 'ns1' } },
            { name: 'native', kind: 'native' },
          ],
          baseline: 'native',
          duration: '1s',
          repeats: 1,
          warmup: false,
        },
      };
      for (const object of [http, cpu])
        await env.client.request({
          method: 'POST',
          path: resourcePath(BENCHMARKS, { namespace: NAMESPACE }),
          body: object,
        });
      const httpRun = (await finished('http-two')).status?.runs?.[0];
      expect(httpRun?.phase).toBe('Succeeded');
      for (const result of httpRun?.results ?? []) {
        expect(result.rps).toBeGreaterThan(100);
        expect(result.latencyP99Ms).toBeGreaterThan(0);
        expect(result.errors).toBe(0);
      }
      const cpuRun = (await finished('cpu-two')).status?.runs?.[0];
      console.log(JSON.stringify(cpuRun?.results));
      expect(cpuRun?.phase).toBe('Succeeded');
      for (const result of cpuRun?.results ?? []) {
        expect(result.failed).toBeUndefined();
        expect(result.score).toBeGreaterThan(0);
        expect(result.scoreUnit).toBe('events/s');
      }
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });
});
