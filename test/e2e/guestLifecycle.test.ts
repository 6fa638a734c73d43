// A GuestDomain on the local libvirt host, booted for real under QEMU software emulation.
import { jest } from '@jest/globals';
import { freePort } from '../../hack/cluster/processes.js';
import { kubectl, testKubeconfig } from '../integration/cluster.js';
import { eventually, startOperatorProcess, type OperatorProcess } from '../integration/operatorProcess.js';
import { connectGuest } from '../../operator/src/guest/channel.js';
import { leftovers, POOL, virsh } from './environment.js';
import {
  apply,
  BOOT_STEP_TIMEOUT_MS,
  condition,
  getGuest,
  guestDomain,
  localHost,
  untilGuestsReady,
} from './guests.js';
import { e2eSuite } from './steps.js';

jest.setTimeout(600_000);

const NAMESPACE = 'e2e-guest';
const DOMAIN = `servirt-${NAMESPACE}-g1`;
/** The first step's name: the later steps need the guest it boots. */
const BOOTS = 'boots, reaches GuestReady, and answers SSH on its forwarded address with the pinned host key';

describe('GuestDomain on libvirt (QEMU, TCG)', () => {
  let operator: OperatorProcess | undefined;
  let sshPort: number | undefined;
  const suite = e2eSuite('guestLifecycle', () => ({
    namespace: NAMESPACE,
    guests: [{ name: 'g1', domain: DOMAIN, ...(sshPort !== undefined && { sshPort }) }],
    operatorLines: () => operator?.lines ?? [],
  }));

  suite.setUp(async () => {
    await kubectl(['create', 'namespace', NAMESPACE]);
    await apply(localHost(NAMESPACE));
    operator = await startOperatorProcess(testKubeconfig(), { SERVIRT_LEADER_ELECTION: 'false' });
  });
  suite.cleanUp(async () => {
    operator?.child.kill('SIGKILL');
    await virsh('destroy', DOMAIN).catch(() => undefined);
  });

  suite.step(
    BOOTS,
    async () => {
      sshPort = await freePort();
      await apply(guestDomain(NAMESPACE, 'g1', sshPort, await freePort()));
      await untilGuestsReady(NAMESPACE, ['g1']);

      const guest = await getGuest(NAMESPACE, 'g1');
      expect(guest?.status).toMatchObject({ phase: 'Running', domainUUID: guest?.metadata.uid });
      expect(guest?.status?.addresses).toContainEqual({
        type: 'HostForward',
        address: `127.0.0.1:${sshPort}`,
        source: 'HostForward',
      });
      expect(guest?.status?.endpoints).toContainEqual({
        service: 'ssh',
        guestPort: 22,
        source: 'HostForward',
        fromOperator: { address: '127.0.0.1', port: sshPort },
        fromGuests: { address: '10.0.2.2', port: sshPort },
      });
      expect(guest?.status?.bootSeconds).toBeGreaterThan(0);
      const host = JSON.parse((await kubectl(['get', 'vh', 'local', '-n', NAMESPACE, '-o', 'json'])).stdout);
      expect(host.status.allocated).toEqual({ vcpus: 1, memoryMiB: 512, guests: 1 });

      const secret = JSON.parse(
        (await kubectl(['get', 'secret', 'g1-ssh', '-n', NAMESPACE, '-o', 'json'])).stdout,
      );
      const field = (name: string) => Buffer.from(secret.data[name], 'base64').toString();
      const channel = await connectGuest({
        host: '127.0.0.1',
        port: sshPort,
        username: 'root',
        privateKey: field('client_ed25519'),
        hostPublicKey: field('host_ed25519.pub'),
      });
      try {
        expect((await channel.run(['hostname'])).stdout.trim()).toBe('g1');
        expect(
          (await channel.run(['systemctl', 'is-system-running', '--wait'], { timeoutMs: 60_000 })).code,
        ).toBeLessThanOrEqual(1);
      } finally {
        channel.close();
      }
    },
    { needs: [], timeoutMs: BOOT_STEP_TIMEOUT_MS },
  );

  suite.step(
    'starts a guest destroyed from outside again within 30 s, and says so',
    async () => {
      const destroying = Date.now();
      await virsh('destroy', DOMAIN);
      const destroyedAt = Date.now();
      await eventually(
        async () => (await virsh('domstate', DOMAIN)).trim() === 'running',
        30_000,
        'running again',
      );
      const restartSeconds = (Date.now() - destroyedAt) / 1000;
      expect(restartSeconds).toBeLessThanOrEqual(30);
      await eventually(
        async () => {
          const events = await kubectl([
            'get',
            'events',
            '-n',
            NAMESPACE,
            '--field-selector',
            'involvedObject.name=g1,reason=Restarted',
            '-o',
            'name',
          ]);
          return events.stdout.trim() !== '';
        },
        10_000,
        'a Restarted event',
      );
      const guest = await getGuest(NAMESPACE, 'g1');
      expect(guest?.status?.phase === 'Starting' || guest?.status?.phase === 'Running').toBe(true);
      expect(Date.parse(guest?.status?.startTime ?? '')).toBeGreaterThanOrEqual(destroyedAt - 1000);
      // Told by libvirt's event stream, not found by the periodic check.
      const heard = operator?.lines.find(
        (line) =>
          line.msg === 'domain lifecycle event' &&
          line.event === 'Stopped' &&
          Number(line.time) >= destroying,
      );
      expect(heard).toBeDefined();
      process.stderr.write(
        `[e2e] restart detected by event ${Number(heard?.time) - destroying} ms after virsh destroy began\n`,
      );
    },
    {
      needs: [BOOTS],
    },
  );

  suite.step(
    'puts a vcpus change into the definition and says the running guest gets it at its next restart',
    async () => {
      const patched = await kubectl([
        'patch',
        'gd',
        'g1',
        '-n',
        NAMESPACE,
        '--type=merge',
        '-p',
        '{"spec":{"vcpus":2}}',
      ]);
      expect(patched.code).toBe(0);
      await eventually(
        async () => condition(await getGuest(NAMESPACE, 'g1'), 'RestartPending')?.status === 'True',
        60_000,
        'RestartPending',
      );
      expect(condition(await getGuest(NAMESPACE, 'g1'), 'RestartPending')?.message).toContain('vcpus 1 → 2');
      expect((await virsh('vcpucount', DOMAIN, '--config', '--maximum')).trim()).toBe('2');
      expect((await virsh('vcpucount', DOMAIN, '--live', '--current')).trim()).toBe('1');
    },
    {
      needs: [BOOTS],
    },
  );

  suite.step(
    'shuts the guest down under runStrategy Halted and keeps it defined',
    async () => {
      const patched = await kubectl([
        'patch',
        'gd',
        'g1',
        '-n',
        NAMESPACE,
        '--type=merge',
        '-p',
        '{"spec":{"runStrategy":"Halted"}}',
      ]);
      expect(patched.code).toBe(0);
      await eventually(
        async () => (await getGuest(NAMESPACE, 'g1'))?.status?.phase === 'Stopped',
        180_000,
        'Stopped',
      );
      expect((await virsh('domstate', DOMAIN)).trim()).toBe('shut off');
      expect(condition(await getGuest(NAMESPACE, 'g1'), 'Ready')).toMatchObject({
        status: 'True',
        reason: 'Halted',
      });
    },
    {
      needs: [BOOTS],
    },
  );

  suite.step(
    'leaves no domain, volume or seed ISO behind when deleted, and deletes no volume it did not make',
    async () => {
      // Another guest's log and a file that only looks like a rotated copy: neither is g1's.
      const foreign = [`${DOMAIN}0.console.log`, `${DOMAIN}.console.log.1.bak`];
      for (const volume of foreign) await virsh('vol-create-as', POOL, volume, '4k', '--format', 'raw');
      try {
        const deleted = await kubectl(['delete', 'gd', 'g1', '-n', NAMESPACE, '--timeout=300s']);
        expect(deleted.code).toBe(0);
        const left = await leftovers(DOMAIN);
        expect({ domains: left.domains, volumes: left.volumes.sort() }).toEqual({
          domains: [],
          volumes: [...foreign].sort(),
        });
      } finally {
        for (const volume of foreign)
          await virsh('vol-delete', volume, '--pool', POOL).catch(() => undefined);
      }
    },
    { needs: [] },
  );
});
