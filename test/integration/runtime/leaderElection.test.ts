// Two real operator processes on one real API server: one leader, a fast hand-over.
import { jest } from '@jest/globals';
import { once } from 'node:events';
import { kubectl, testKubeconfig } from '../cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../operatorProcess.js';

jest.setTimeout(120_000);

const NAMESPACE = 'leader-election';
const LEASE_DURATION_MS = 15_000;
const RETRY_PERIOD_MS = 2_000;

async function createHost(name: string): Promise<void> {
  const manifest = {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'VirtualHost',
    metadata: { name, namespace: NAMESPACE },
    spec: { provider: 'libvirt', libvirt: { uri: 'test:///default', hypervisor: 'qemu' } },
  };
  const created = await kubectl(['create', '-f', '-'], JSON.stringify(manifest));
  expect(created.stderr).toBe('');
}

async function reconciled(name: string): Promise<boolean> {
  const got = await kubectl(['get', 'vh', name, '-n', NAMESPACE, '-o', 'json']);
  if (got.code !== 0) return false;
  const host = JSON.parse(got.stdout);
  return host.status?.observedGeneration === host.metadata.generation;
}

describe('leader election', () => {
  const operators: OperatorProcess[] = [];

  beforeAll(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    for (let i = 0; i < 2; i++) {
      operators.push(
        await startOperatorProcess(testKubeconfig(), { POD_NAMESPACE: NAMESPACE, POD_NAME: `replica-${i}` }),
      );
    }
  });
  afterAll(() => {
    for (const operator of operators) operator.child.kill('SIGKILL');
  });

  it('lets exactly one replica reconcile, and hands over when the leader is killed', async () => {
    await eventually(
      () => operators.some((o) => o.loggedAt('became the leader') !== undefined),
      30_000,
      'a leader',
    );
    const leader = operators.find((o) => o.loggedAt('became the leader') !== undefined) as OperatorProcess;
    const follower = operators.find((o) => o !== leader) as OperatorProcess;

    await createHost('one');
    await eventually(() => reconciled('one'), 30_000, 'reconcile by the leader');
    expect(await leader.metric('controller_runtime_reconcile_total')).toBeGreaterThan(0);
    expect(await follower.metric('controller_runtime_reconcile_total')).toBe(0);
    expect(follower.loggedAt('became the leader')).toBeUndefined();

    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await eventually(() => follower.loggedAt('became the leader') !== undefined, 30_000, 'hand-over');
    const handOverMs = (follower.loggedAt('became the leader') as number) - killedAt;
    // client-go's rule: the lease expires a lease duration after the follower last saw it renewed,
    // which is at most one retry period after the leader's last renewal, checked every retry period.
    expect(handOverMs).toBeLessThanOrEqual(LEASE_DURATION_MS + 2 * RETRY_PERIOD_MS);
    console.log(`hand-over after SIGKILL of the leader: ${handOverMs} ms`);

    await createHost('two');
    await eventually(() => reconciled('two'), 30_000, 'reconcile by the new leader');
  });

  it('releases the lease on SIGTERM so that the next replica leads at once', async () => {
    const leader = operators[1] as OperatorProcess;
    const standby = await startOperatorProcess(testKubeconfig(), {
      POD_NAMESPACE: NAMESPACE,
      POD_NAME: 'replica-2',
    });
    operators.push(standby);
    await eventually(
      () => standby.lines.some((line) => line.msg === 'caches synced; ready'),
      20_000,
      'standby ready',
    );
    const stoppedAt = Date.now();
    const exited = once(leader.child, 'exit');
    leader.child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
    await eventually(
      () => standby.loggedAt('became the leader') !== undefined,
      10_000,
      'hand-over after release',
    );
    const releasedHandOverMs = (standby.loggedAt('became the leader') as number) - stoppedAt;
    expect(releasedHandOverMs).toBeLessThanOrEqual(RETRY_PERIOD_MS + 1000);
    console.log(`hand-over after SIGTERM of the leader (lease released): ${releasedHandOverMs} ms`);
  });
});
