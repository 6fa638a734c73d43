// A guest whose first-boot configuration fails on purpose: its user-data gets a runcmd that exits
// 3. GuestReady must say CloudInitFailed (not just "not ready"), Ready must say so once the
// expected boot time has passed, and `servirt guest console` must show the boot.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { freePort } from '../../hack/cluster/processes.js';
import { repoDir } from '../../hack/cluster/tools.js';
import { seedIso } from '../../operator/src/providers/libvirt/guests.js';
import { kubectl, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../integration/operatorProcess.js';
import { leftovers, POOL, removeFromHost, virsh } from './environment.js';
import { apply, condition, getGuest, guestDomain, localHost } from './guests.js';
import { saveEvidence } from './evidence.js';
import { e2eSuite } from './steps.js';

jest.setTimeout(1_200_000);

const run = promisify(execFile);
const NAMESPACE = 'e2e-broken';
const DOMAIN = `servirt-${NAMESPACE}-broken`;
const MARK = 'servirt-broken-on-purpose';

/** The seed the operator made, with one more runcmd at the end: one that fails. */
async function breakSeed(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-broken-'));
  try {
    const seedPath = (await virsh('vol-path', `${DOMAIN}-seed.iso`, '--pool', POOL)).trim();
    await run('xorriso', ['-osirrox', 'on', '-indev', seedPath, '-extract', '/', path.join(dir, 'seed')]);
    const files: Record<string, string> = {};
    for (const name of ['meta-data', 'user-data', 'network-config'])
      files[name] = await readFile(path.join(dir, 'seed', name), 'utf8');
    const userData = parse(files['user-data'] ?? '') as { runcmd?: unknown[] };
    userData.runcmd = [...(userData.runcmd ?? []), ['sh', '-c', `echo ${MARK}; exit 3`]];
    files['user-data'] = `#cloud-config\n${stringify(userData)}`;
    await writeFile(seedPath, await seedIso(files));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a guest whose cloud-init fails', () => {
  let operator: OperatorProcess | undefined;
  let sshPort = 0;
  const suite = e2eSuite('brokenGuest', () => ({
    namespace: NAMESPACE,
    guests: [{ name: 'broken', domain: DOMAIN, sshPort }],
    operatorLines: () => operator?.lines ?? [],
  }));

  suite.setUp(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply(localHost(NAMESPACE));
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });
  suite.cleanUp(async () => {
    operator?.child.kill('SIGKILL');
    await removeFromHost(DOMAIN);
  });

  suite.step(
    'says CloudInitFailed, then NotReadyInTime, and shows its console through `servirt guest console`',
    async () => {
      sshPort = await freePort();
      const guest = guestDomain(NAMESPACE, 'broken', sshPort, await freePort());
      const halted = {
        ...guest,
        spec: { ...guest.spec, runStrategy: 'Halted', readinessProbe: { expectedBootSeconds: 60 } },
      };
      await apply(halted);
      await eventually(
        async () => (await getGuest(NAMESPACE, 'broken'))?.status?.phase === 'Stopped',
        120_000,
        'defined and Stopped',
      );
      await breakSeed();
      await apply({ ...halted, spec: { ...halted.spec, runStrategy: 'Always' } });

      await eventually(
        async () =>
          condition(await getGuest(NAMESPACE, 'broken'), 'GuestReady')?.reason === 'CloudInitFailed',
        900_000,
        'GuestReady reason CloudInitFailed',
      );
      // Ready turns NotReadyInTime once expectedBootSeconds (60 s) have passed since the start.
      await eventually(
        async () => condition(await getGuest(NAMESPACE, 'broken'), 'Ready')?.reason === 'NotReadyInTime',
        120_000,
        'Ready reason NotReadyInTime',
      );
      const status = (await getGuest(NAMESPACE, 'broken'))?.status;
      expect(condition({ status } as never, 'GuestReady')).toMatchObject({
        status: 'False',
        message: expect.stringContaining('error(s) in scripts-user'),
      });
      expect(condition({ status } as never, 'Ready')).toMatchObject({
        status: 'False',
        reason: 'NotReadyInTime',
        message: expect.stringContaining('CloudInitFailed'),
      });
      expect(status?.consoleLog?.volume).toBe(`${DOMAIN}.console.log`);

      const printed = await run(
        path.join(repoDir, 'node_modules/.bin/tsx'),
        ['operator/src/cli/main.ts', 'guest', 'console', 'broken', '-n', NAMESPACE, '--tail', '2000'],
        { cwd: repoDir, env: { ...process.env, KUBECONFIG: testKubeconfig() }, maxBuffer: 16 * 1024 * 1024 },
      );
      expect(printed.stdout).toContain('Linux version');
      expect(printed.stdout).toContain(MARK);
    },
    { needs: [], timeoutMs: 1_200_000 },
  );

  suite.step(
    'saves the evidence a failed suite would: console, objects, operator log, inside the guest',
    async () => {
      const dir = await saveEvidence('brokenGuest-check', {
        namespace: NAMESPACE,
        guests: [{ name: 'broken', domain: DOMAIN, sshPort }],
        operatorLines: () => operator?.lines ?? [],
      });
      try {
        const saved = (file: string) => readFile(path.join(dir, file), 'utf8');
        expect(await saved('broken.console.log')).toContain(MARK);
        expect(await saved('objects.yaml')).toContain('reason: CloudInitFailed');
        expect(await saved('operator.log')).toContain('"msg"');
        const inside = await saved('broken.inside.txt');
        expect(inside).toContain('$ cloud-init status --long');
        expect(inside).toContain('status: error');
        expect(inside).toContain('$ journalctl -b --no-pager -u ssh');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  suite.step(
    'leaves no domain, volume or console log behind when deleted',
    async () => {
      const deleted = await kubectl(['delete', 'gd', 'broken', '-n', NAMESPACE, '--timeout=300s']);
      expect(deleted.code).toBe(0);
      expect(await leftovers(DOMAIN)).toEqual({ domains: [], volumes: [] });
    },
    { needs: [] },
  );
});
