// npm run bench:operator [-- --objects N]: creates N VirtualHosts on a fresh local control plane,
// runs the built operator as its own process, and measures how fast and how cheaply it reconciles them.
// OPERATOR_NODE_FLAGS overrides the node flags the image uses. Prints one JSON line last: {objects, secondsToAllReconciled, reconcilesPerSecond, writesPerObject, noopWrites, rssMiB}.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import { repoDir } from '../../hack/cluster/tools.js';
import { resourcePath } from '../../operator/src/kube/resourcePath.js';
import { VIRTUAL_HOSTS, type VirtualHost } from '../../operator/src/controllers/virtualhost/reconciler.js';
import { clientFor, virtualHost } from '../integration/runtime/harness.js';
import { scrape, inBatches, waitUntil } from './support.js';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '1000' } } });
const objects = Number(values.objects);
if (!Number.isInteger(objects) || objects < 1) throw new Error('--objects must be a positive integer');
const NAMESPACE = 'bench';
const log = (message: string) => process.stderr.write(`[bench:operator] ${message}\n`);

log('building the operator (tsc)');
execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoDir, stdio: 'inherit' });
const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-'));
const plane = await ControlPlane.start(dir, process.pid);
try {
  await installCrds(plane.kubeconfigPath);
  const admin = await clientFor(plane.kubeconfigPath);
  await admin.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: NAMESPACE } },
  });

  const operator = spawn(
    'node',
    [
      ...(process.env.OPERATOR_NODE_FLAGS ?? '--max-semi-space-size=1').split(' ').filter(Boolean),
      path.join(repoDir, 'dist/operator/src/main.js'),
    ],
    {
      env: {
        ...process.env,
        KUBECONFIG: plane.kubeconfigPath,
        SERVIRT_HTTP_HOST: '127.0.0.1',
        SERVIRT_HTTP_PORT: '18461',
        SERVIRT_LEADER_ELECTION: 'false',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const metricsUrl = 'http://127.0.0.1:18461/metrics';
  await waitUntil(
    async () => (await fetch('http://127.0.0.1:18461/readyz').catch(() => undefined))?.status === 200,
    60_000,
  );
  const writes = async () => {
    const samples = await scrape(metricsUrl, 'rest_client_requests_total');
    return samples
      .filter((s) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(s.labels.method ?? ''))
      .reduce((a, s) => a + s.value, 0);
  };
  const reconciles = async () =>
    (await scrape(metricsUrl, 'controller_runtime_reconcile_total')).reduce((a, s) => a + s.value, 0);

  log(`creating ${objects} VirtualHosts`);
  const started = performance.now();
  await inBatches(objects, 32, (i) =>
    admin.request({
      method: 'POST',
      path: resourcePath(VIRTUAL_HOSTS, { namespace: NAMESPACE }),
      body: virtualHost(NAMESPACE, `host-${i}`),
    }),
  );
  log(`created in ${((performance.now() - started) / 1000).toFixed(1)} s; waiting for every status`);
  const pollMs = Math.max(250, Math.min(3000, objects / 4));
  await waitUntil(
    async () => {
      const list = await admin.request<{ items: VirtualHost[] }>({
        method: 'GET',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: NAMESPACE }),
        query: { resourceVersion: '0' },
      });
      const done = list.items.filter(
        (host) => host.status?.observedGeneration === host.metadata.generation,
      ).length;
      return done === objects;
    },
    600_000,
    pollMs,
  );
  const seconds = (performance.now() - started) / 1000;
  const reconcilesAtEnd = await reconciles();
  const writesAtEnd = await writes();

  log('touching every object without changing its spec: every reconcile must be a no-op');
  await inBatches(objects, 32, (i) =>
    admin.request({
      method: 'PATCH',
      path: resourcePath(VIRTUAL_HOSTS, { namespace: NAMESPACE, name: `host-${i}` }),
      body: { metadata: { annotations: { 'bench.servirt.dev/touched': 'yes' } } },
      contentType: 'application/merge-patch+json',
    }),
  );
  await waitUntil(async () => (await reconciles()) >= reconcilesAtEnd + objects, 600_000, 500);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const noopWrites = (await writes()) - writesAtEnd;

  const status = await readFile(`/proc/${operator.pid}/status`, 'utf8');
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  operator.kill('SIGTERM');
  admin.close();
  console.log(
    JSON.stringify({
      objects,
      secondsToAllReconciled: Number(seconds.toFixed(2)),
      reconcilesPerSecond: Number((reconcilesAtEnd / seconds).toFixed(1)),
      writesPerObject: Number((writesAtEnd / objects).toFixed(3)),
      noopWrites,
      rssMiB: Number((peakKiB / 1024).toFixed(1)),
    }),
  );
} finally {
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
