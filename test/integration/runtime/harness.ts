// In-process operator pieces against real control planes, for the runtime tests.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ControlPlane } from '../../../hack/cluster/controlPlane.js';
import { installCrds } from '../../../hack/cluster/crds.js';
import { KubeClient, type ClientTimeouts } from '../../../operator/src/kube/client.js';
import { resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { Manager, type ManagerOptions } from '../../../operator/src/manager/manager.js';
import type { Controller } from '../../../operator/src/manager/controller.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { VIRTUAL_HOSTS, type VirtualHost } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import { registerVirtualHostController } from '../../../operator/src/controllers/virtualhost/register.js';

export const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A control plane of the test's own (it may kill its API server), stopped by the returned function. */
export async function ownControlPlane(): Promise<{ plane: ControlPlane; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-runtime-'));
  const plane = await ControlPlane.start(dir, process.pid);
  await installCrds(plane.kubeconfigPath);
  return {
    plane,
    cleanup: async () => {
      await plane.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function clientFor(
  kubeconfigPath: string,
  metrics?: OperatorMetrics,
  timeouts?: Partial<ClientTimeouts>,
): Promise<KubeClient> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return KubeClient.create(
    config,
    (code, method, host) => metrics?.restRequests.inc({ code, method, host }),
    timeouts,
  );
}

export interface InProcessOperator {
  manager: Manager;
  controller: Controller;
  metrics: OperatorMetrics;
  client: KubeClient;
  stop(): Promise<void>;
}

/** The VirtualHost controller on a Manager, as main.ts wires it, inside the test process. */
export async function startOperator(
  kubeconfigPath: string,
  options: ManagerOptions & { recheckMs?: number; onReconcile?: (key: string) => void } = {},
): Promise<InProcessOperator> {
  const metrics = new OperatorMetrics(false);
  const client = await clientFor(kubeconfigPath, metrics);
  const manager = new Manager(client, metrics, log, options);
  const controller = registerVirtualHostController(manager, {
    recheckMs: options.recheckMs ?? 600_000,
    wrap: (reconcile) => (key) => {
      options.onReconcile?.(key);
      return reconcile(key);
    },
  });
  await manager.start();
  return {
    manager,
    controller,
    metrics,
    client,
    stop: async () => {
      await manager.stop();
      client.close();
    },
  };
}

/** Write requests (POST, PUT, PATCH, DELETE) this client made, from its own request metrics. */
export async function writeRequests(metrics: OperatorMetrics): Promise<number> {
  const { values } = await metrics.restRequests.get();
  return values
    .filter((sample) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(String(sample.labels.method)))
    .reduce((sum, sample) => sum + sample.value, 0);
}

export async function reconcileCount(metrics: OperatorMetrics): Promise<number> {
  const { values } = await metrics.reconcileTotal.get();
  return values.reduce((sum, sample) => sum + sample.value, 0);
}

export function virtualHost(namespace: string, name: string): VirtualHost {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'VirtualHost',
    metadata: { name, namespace },
    spec: { provider: 'libvirt', libvirt: { uri: 'test:///default', hypervisor: 'kvm' } },
  };
}

export async function createVirtualHost(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<VirtualHost> {
  return client.request<VirtualHost>({
    method: 'POST',
    path: resourcePath(VIRTUAL_HOSTS, { namespace }),
    body: virtualHost(namespace, name),
  });
}

export async function getVirtualHost(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<VirtualHost> {
  return client.request<VirtualHost>({
    method: 'GET',
    path: resourcePath(VIRTUAL_HOSTS, { namespace, name }),
  });
}

/** Reconciled = the status speaks of the current generation. */
export async function isReconciled(client: KubeClient, namespace: string, name: string): Promise<boolean> {
  const host = await getVirtualHost(client, namespace, name).catch(() => undefined);
  return host !== undefined && host.status?.observedGeneration === host.metadata.generation;
}

export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How long each step of a test took, for its log: a slow or failed run then says where the time went. */
export class StepTimes {
  private readonly times: string[] = [];

  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.times.push(`${step} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  summary(): string {
    return this.times.join('; ');
  }
}
