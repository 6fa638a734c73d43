// The runtime against a real kube-apiserver that dies, comes back, and forgets history.
import { jest } from '@jest/globals';
import type { ControlPlane } from '../../../hack/cluster/controlPlane.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { Informer } from '../../../operator/src/manager/informer.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { VIRTUAL_HOSTS, type VirtualHost } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import {
  clientFor,
  createVirtualHost,
  eventually,
  isReconciled,
  log,
  ownControlPlane,
  startOperator,
  StepTimes,
  type InProcessOperator,
} from './harness.js';

jest.setTimeout(180_000);

describe('API server faults', () => {
  let plane: ControlPlane;
  let cleanup: () => Promise<void>;
  let admin: KubeClient;

  beforeAll(async () => {
    ({ plane, cleanup } = await ownControlPlane());
    admin = await clientFor(plane.kubeconfigPath);
  });
  afterAll(async () => {
    admin?.close();
    await cleanup?.();
  });

  // Every wait below is bounded on its own; the test's limit is above their sum, so a failure names its step.
  it('loses no reconcile when kube-apiserver is killed and restarted', async () => {
    const steps = new StepTimes();
    const operator: InProcessOperator = await steps.time('start the operator', () =>
      startOperator(plane.kubeconfigPath),
    );
    const second = await steps.time('start a second kube-apiserver', () => plane.startSecondApiServer());
    const viaSecond = await clientFor(second.kubeconfigPath);
    try {
      await createVirtualHost(admin, 'default', 'before-outage');
      await steps.time('reconcile before the outage', () =>
        eventually(
          () => isReconciled(admin, 'default', 'before-outage'),
          30_000,
          'reconcile before the outage',
        ),
      );

      await steps.time('stop kube-apiserver', () => plane.stopApiServer());
      // The operator's API server is down; the cluster is not: change things through the other one.
      await createVirtualHost(viaSecond, 'default', 'during-outage');
      await viaSecond.request({
        method: 'PATCH',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: 'default', name: 'before-outage' }),
        body: { spec: { libvirt: { uri: 'test:///default?mode=outage' } } },
        contentType: 'application/merge-patch+json',
      });
      await steps.time('start kube-apiserver again', () => plane.startApiServer());

      await steps.time('reconcile the object created during the outage', () =>
        eventually(
          () => isReconciled(admin, 'default', 'during-outage'),
          90_000,
          'object created during the outage',
        ),
      );
      await steps.time('reconcile the object changed during the outage', () =>
        eventually(
          () => isReconciled(admin, 'default', 'before-outage'),
          30_000,
          'object changed during the outage',
        ),
      );
    } finally {
      viaSecond.close();
      await steps.time('stop the second kube-apiserver', () => second.stop());
      await steps.time('stop the operator', () => operator.stop());
      console.log(`API server outage, step times: ${steps.summary()}`);
    }
  }, 420_000);

  it('fails a request to a frozen kube-apiserver instead of waiting for it forever', async () => {
    const client = await clientFor(plane.kubeconfigPath, undefined, {
      requestIdleMs: 2000,
      streamHeadersMs: 2000,
    });
    const namespacePath = '/api/v1/namespaces/default';
    await client.request({ method: 'GET', path: namespacePath });
    plane.freezeApiServer(true);
    try {
      // The kept-alive connection is open and the request is written; nothing ever comes back.
      await expect(client.request({ method: 'GET', path: namespacePath })).rejects.toThrow(
        `GET ${namespacePath}: no answer for 2000 ms`,
      );
      const watchPath = resourcePath(VIRTUAL_HOSTS, { namespace: 'default' });
      await expect(
        client.stream({ method: 'GET', path: watchPath, query: { watch: true } }, () => {}),
      ).rejects.toThrow(`GET ${watchPath}: no response within 2000 ms`);
    } finally {
      plane.freezeApiServer(false);
      client.close();
    }
    const fresh = await clientFor(plane.kubeconfigPath);
    await expect(fresh.request({ method: 'GET', path: namespacePath })).resolves.toBeDefined();
    fresh.close();
  });

  it('relists after 410 Gone with no missed and no phantom events', async () => {
    const metrics = new OperatorMetrics(false);
    const client = await clientFor(plane.kubeconfigPath, metrics);
    const informer = new Informer<VirtualHost>(client, VIRTUAL_HOSTS, metrics, log, { namespace: 'gone' });
    const events: string[] = [];
    informer.onEvent((type, object) => events.push(`${type} ${object.metadata.name}`));
    await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'gone' } } });
    for (const name of ['unchanged', 'modified', 'deleted']) await createVirtualHost(admin, 'gone', name);
    await informer.start();
    await eventually(() => events.length === 3, 10_000, 'initial list');
    expect(events.sort()).toEqual(['ADDED deleted', 'ADDED modified', 'ADDED unchanged']);
    events.length = 0;

    const second = await plane.startSecondApiServer();
    const viaSecond = await clientFor(second.kubeconfigPath);
    try {
      await plane.stopApiServer();
      await viaSecond.request({
        method: 'PATCH',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: 'gone', name: 'modified' }),
        body: { metadata: { labels: { changed: 'yes' } } },
        contentType: 'application/merge-patch+json',
      });
      await viaSecond.request({
        method: 'DELETE',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: 'gone', name: 'deleted' }),
      });
      await createVirtualHost(viaSecond, 'gone', 'added');
      // Busy elsewhere, then compact: the informer's resourceVersion is history now.
      for (let i = 0; i < 20; i++) await createVirtualHost(viaSecond, 'default', `churn-${i}`);
      await plane.compactEtcd();
      await plane.startApiServer();

      await eventually(() => events.length >= 3, 90_000, 'events after the relist');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(events.sort()).toEqual(['ADDED added', 'DELETED deleted', 'MODIFIED modified']);
      const relists = (await metrics.relists.get()).values[0]?.value ?? 0;
      expect(relists).toBeGreaterThanOrEqual(2);
      const restarts = (await metrics.watchRestarts.get()).values.filter((v) => v.labels.reason === 'gone');
      expect(restarts.reduce((sum, v) => sum + v.value, 0)).toBeGreaterThanOrEqual(1);
      expect(
        informer
          .list()
          .map((host) => host.metadata.name)
          .sort(),
      ).toEqual(['added', 'modified', 'unchanged']);
    } finally {
      await informer.stop();
      client.close();
      viaSecond.close();
      await second.stop();
    }
  });
});
