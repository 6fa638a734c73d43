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

  it('loses no reconcile when kube-apiserver is killed and restarted', async () => {
    const operator: InProcessOperator = await startOperator(plane.kubeconfigPath);
    const second = await plane.startSecondApiServer();
    const viaSecond = await clientFor(second.kubeconfigPath);
    try {
      await createVirtualHost(admin, 'default', 'before-outage');
      await eventually(
        () => isReconciled(admin, 'default', 'before-outage'),
        30_000,
        'reconcile before the outage',
      );

      await plane.stopApiServer();
      // The operator's API server is down; the cluster is not: change things through the other one.
      await createVirtualHost(viaSecond, 'default', 'during-outage');
      await viaSecond.request({
        method: 'PATCH',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: 'default', name: 'before-outage' }),
        body: { spec: { libvirt: { uri: 'test:///default?mode=outage' } } },
        contentType: 'application/merge-patch+json',
      });
      await plane.startApiServer();

      await eventually(
        () => isReconciled(admin, 'default', 'during-outage'),
        90_000,
        'object created during the outage',
      );
      await eventually(
        () => isReconciled(admin, 'default', 'before-outage'),
        30_000,
        'object changed during the outage',
      );
    } finally {
      viaSecond.close();
      await second.stop();
      await operator.stop();
    }
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
