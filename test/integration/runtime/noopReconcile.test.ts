// A reconcile of an object whose world is already right makes no write request at all.
import { resourcePath } from '../../../operator/src/kube/resourcePath.js';
import { VIRTUAL_HOSTS } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import {
  clientFor,
  createVirtualHost,
  eventually,
  isReconciled,
  ownControlPlane,
  reconcileCount,
  startOperator,
  writeRequests,
  type InProcessOperator,
} from './harness.js';

// A control plane of its own: objects that other tests leave behind would be reconciled too.
describe('no-op reconciles', () => {
  let operator: InProcessOperator;
  let kubeconfig: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const own = await ownControlPlane();
    cleanup = own.cleanup;
    kubeconfig = own.plane.kubeconfigPath;
    operator = await startOperator(kubeconfig);
  });
  afterAll(async () => {
    await operator?.stop();
    await cleanup?.();
  });

  it('writes status once, then makes zero writes however often the object is reconciled', async () => {
    const admin = await clientFor(kubeconfig);
    await admin.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'noop' } } });
    await createVirtualHost(admin, 'noop', 'steady');
    await eventually(() => isReconciled(admin, 'noop', 'steady'), 30_000, 'first reconcile');
    await eventually(async () => operator.controller.queue.length === 0, 10_000, 'queue drained');

    const writesBefore = await writeRequests(operator.metrics);
    const reconcilesBefore = await reconcileCount(operator.metrics);
    for (let i = 0; i < 5; i++) operator.controller.enqueue('noop/steady');
    // A change that does not touch spec (an annotation) reaches the controller as an event, too.
    await admin.request({
      method: 'PATCH',
      path: resourcePath(VIRTUAL_HOSTS, { namespace: 'noop', name: 'steady' }),
      body: { metadata: { annotations: { 'example.com/touched': 'yes' } } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(
      async () => (await reconcileCount(operator.metrics)) >= reconcilesBefore + 2,
      10_000,
      'reconciles',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(await reconcileCount(operator.metrics)).toBeGreaterThanOrEqual(reconcilesBefore + 2);
    expect(await writeRequests(operator.metrics)).toBe(writesBefore);
    admin.close();
  });
});
