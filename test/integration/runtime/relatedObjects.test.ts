// Changes to referenced objects reach the objects that use them; status flips leave Events.
import { testKubeconfig } from '../cluster.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { VIRTUAL_HOSTS } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import {
  clientFor,
  createVirtualHost,
  eventually,
  getVirtualHost,
  isReconciled,
  startOperator,
  type InProcessOperator,
} from './harness.js';

const NAMESPACE = 'related';

describe('related objects and events', () => {
  let operator: InProcessOperator;
  let admin: KubeClient;
  const reconciled: string[] = [];

  beforeAll(async () => {
    admin = await clientFor(testKubeconfig());
    await admin.request({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: NAMESPACE } },
    });
    operator = await startOperator(testKubeconfig(), { onReconcile: (key) => reconciled.push(key) });
  });
  afterAll(async () => {
    await operator?.stop();
    admin?.close();
  });

  it('reconciles a VirtualHost again when the Secret it references changes, and no other', async () => {
    await admin.request({
      method: 'POST',
      path: resourcePath(SECRETS, { namespace: NAMESPACE }),
      body: {
        metadata: { name: 'hv1-ssh' },
        stringData: { 'ssh-privatekey': 'k1', known_hosts: 'hv1 ssh-ed25519 AAAA' },
      },
    });
    for (const [name, secret] of [
      ['uses-key', 'hv1-ssh'],
      ['uses-other-key', 'hv2-ssh'],
    ]) {
      await admin.request({
        method: 'POST',
        path: resourcePath(VIRTUAL_HOSTS, { namespace: NAMESPACE }),
        body: {
          apiVersion: 'servirt.dev/v1alpha1',
          kind: 'VirtualHost',
          metadata: { name },
          spec: {
            provider: 'libvirt',
            libvirt: {
              uri: 'xen+ssh://root@127.0.0.1:1/system',
              hypervisor: 'xen',
              sshKeySecretRef: { name: secret },
            },
          },
        },
      });
    }
    for (const name of ['uses-key', 'uses-other-key']) {
      await eventually(() => isReconciled(admin, NAMESPACE, name), 20_000, `first reconcile of ${name}`);
    }
    // Let the reconcile that follows each status write (a no-op) pass.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    reconciled.length = 0;

    await admin.request({
      method: 'PATCH',
      path: resourcePath(SECRETS, { namespace: NAMESPACE, name: 'hv1-ssh' }),
      body: { stringData: { 'ssh-privatekey': 'k2' } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(
      () => reconciled.includes(`${NAMESPACE}/uses-key`),
      10_000,
      'reconcile after the Secret changed',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reconciled).not.toContain(`${NAMESPACE}/uses-other-key`);
    // The Secret's data is never cached: its informer holds metadata only.
    const cached = operator.manager.informer(SECRETS, true).get(`${NAMESPACE}/hv1-ssh`) as unknown as Record<
      string,
      unknown
    >;
    expect(cached).toBeDefined();
    expect(cached.data).toBeUndefined();
  });

  it('records a Warning Event when a host stops being Ready, with the reason in the condition', async () => {
    await createVirtualHost(admin, NAMESPACE, 'flips');
    await eventually(
      async () => (await getVirtualHost(admin, NAMESPACE, 'flips')).status?.reachable === true,
    );
    await admin.request({
      method: 'PATCH',
      path: resourcePath(VIRTUAL_HOSTS, { namespace: NAMESPACE, name: 'flips' }),
      // A daemon socket that does not exist: the host stops answering.
      body: { spec: { libvirt: { uri: 'qemu:///system?socket=/run/servirt-no-such-host/libvirt-sock' } } },
      contentType: 'application/merge-patch+json',
    });
    await eventually(
      async () => (await getVirtualHost(admin, NAMESPACE, 'flips')).status?.reachable === false,
      20_000,
    );
    const host = await getVirtualHost(admin, NAMESPACE, 'flips');
    const ready = host.status?.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'Unreachable',
      observedGeneration: host.metadata.generation,
    });
    expect(ready?.message).toMatch(/servirt-no-such-host/);

    const events = await admin.request<{
      items: { type: string; reason: string; involvedObject: { name: string } }[];
    }>({
      method: 'GET',
      path: `/api/v1/namespaces/${NAMESPACE}/events`,
    });
    expect(events.items.filter((event) => event.involvedObject.name === 'flips')).toEqual([
      expect.objectContaining({ type: 'Warning', reason: 'Unreachable' }),
    ]);
  });
});
