// A watch that goes silent is restarted, and nothing is lost across the restart.
import { testKubeconfig } from '../cluster.js';
import { Informer } from '../../../operator/src/manager/informer.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { VIRTUAL_HOSTS, type VirtualHost } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import { clientFor, createVirtualHost, eventually, log } from './harness.js';

describe('informer watchdog', () => {
  it('restarts a silent watch and still sees every change', async () => {
    const metrics = new OperatorMetrics(false);
    const client = await clientFor(testKubeconfig(), metrics);
    await client.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'watchdog' } },
    });
    const informer = new Informer<VirtualHost>(client, VIRTUAL_HOSTS, metrics, log, {
      namespace: 'watchdog',
      silenceLimitMs: 1200,
    });
    const added: string[] = [];
    informer.onEvent((type, host) => type === 'ADDED' && added.push(host.metadata.name as string));
    try {
      await informer.start();
      const silentRestarts = async () =>
        (await metrics.watchRestarts.get()).values.find((v) => v.labels.reason === 'silent')?.value ?? 0;
      await eventually(async () => (await silentRestarts()) >= 2, 15_000, 'two silent restarts');
      await createVirtualHost(client, 'watchdog', 'after-restarts');
      await eventually(() => added.includes('after-restarts'), 10_000, 'event after restarts');
      expect((await metrics.relists.get()).values[0]?.value).toBe(1);
    } finally {
      await informer.stop();
      client.close();
    }
  });
});
