// The operator killed with SIGKILL at 10 points of provisioning, then restarted: each run ends
// with exactly one domain for the GuestDomain and no stray volume, and deletion cleans up.
import { jest } from '@jest/globals';
import { freePort, sleep } from '../../hack/cluster/processes.js';
import { kubectl, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess } from '../integration/operatorProcess.js';
import { leftovers } from './environment.js';
import { apply, condition, getGuest, guestDomain, localHost } from './guests.js';
import { e2eSuite } from './steps.js';

jest.setTimeout(900_000);

const NAMESPACE = 'e2e-crash';
const KILL_AFTER_MS = [0, 150, 300, 450, 600, 800, 1000, 1300, 1700, 2200];

const nameOf = (run: number) => `crash-${run}`;
const prefixOf = (run: number) => `servirt-${NAMESPACE}-${nameOf(run)}`;

describe('operator crashes during provisioning', () => {
  let operatorLines: Record<string, unknown>[] = [];
  const suite = e2eSuite('operatorCrash', () => ({
    namespace: NAMESPACE,
    guests: KILL_AFTER_MS.map((_, run) => ({ name: nameOf(run), domain: prefixOf(run) })),
    operatorLines: () => operatorLines,
  }));
  suite.setUp(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply(localHost(NAMESPACE));
  });

  // Each run stands alone: one that fails does not stop the next.
  KILL_AFTER_MS.forEach((killAfterMs, run) =>
    suite.step(
      `run ${run}: SIGKILL ${killAfterMs} ms into provisioning`,
      async () => {
        const name = nameOf(run);
        const prefix = prefixOf(run);
        const first = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
        await eventually(
          () => first.lines.some((line) => line.msg === 'caches synced; ready'),
          60_000,
          'operator ready',
        );
        await apply(guestDomain(NAMESPACE, name, await freePort(), await freePort()));
        await sleep(killAfterMs);
        first.child.kill('SIGKILL');

        const second = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
        operatorLines = second.lines;
        try {
          await eventually(
            async () => condition(await getGuest(NAMESPACE, name), 'Running')?.status === 'True',
            180_000,
            'running',
          );
          expect(await leftovers(prefix)).toEqual({
            domains: [prefix],
            volumes: [`${prefix}-disk.qcow2`, `${prefix}-seed.iso`],
          });

          const deleted = await kubectl(['delete', 'gd', name, '-n', NAMESPACE, '--timeout=300s']);
          expect(deleted.code).toBe(0);
          expect(await leftovers(prefix)).toEqual({ domains: [], volumes: [] });
        } finally {
          second.child.kill('SIGKILL');
        }
      },
      { needs: [] },
    ),
  );
});
