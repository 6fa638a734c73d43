import type { GuestDomain } from '../../api/types.generated.js';
import { desiredGuestStatus, type GuestObservation } from './status.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:05.000Z';
const guest = (runStrategy: 'Always' | 'Halted' = 'Always', status?: GuestDomain['status']): GuestDomain => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name: 'ns1', namespace: 'default', generation: 2, uid: 'u1' },
  spec: {
    virtualHostRef: { name: 'local' },
    vcpus: 1,
    memoryMiB: 512,
    disk: { baseImage: 'debian-12-servirt.qcow2' },
    network: { mode: 'user', hostForwards: [{ name: 'ssh', hostPort: 10022, guestPort: 22 }] },
    runStrategy,
  },
  ...(status && { status }),
});
const domain = (state: 'running' | 'shutoff') => ({ name: 'servirt-default-ns1', uuid: 'u1', state });
const ready = { kind: 'ready' } as const;
const condition = (status: ReturnType<typeof desiredGuestStatus>, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('desiredGuestStatus', () => {
  it.each<[string, GuestDomain, GuestObservation, string, string]>([
    [
      'host missing',
      guest(),
      {
        host: { kind: 'notReady', reason: 'HostNotFound', message: 'm' },
        guest: { kind: 'notChecked', reason: 'r', message: 'm' },
      },
      'Pending',
      'HostNotFound',
    ],
    [
      'base image missing',
      guest(),
      {
        host: ready,
        failure: { reason: 'BaseImageMissing', message: 'm' },
        guest: { kind: 'notChecked', reason: 'r', message: 'm' },
      },
      'Failed',
      'BaseImageMissing',
    ],
    [
      'booting',
      guest(),
      {
        host: ready,
        domain: domain('running'),
        guest: { kind: 'unreachable', reason: 'NoSSH', message: 'refused' },
      },
      'Starting',
      'Starting',
    ],
    [
      'reached',
      guest(),
      { host: ready, domain: domain('running'), guest: { kind: 'reached' } },
      'Running',
      'Running',
    ],
    [
      'halted and off',
      guest('Halted'),
      {
        host: ready,
        domain: domain('shutoff'),
        guest: { kind: 'notChecked', reason: 'NotRunning', message: 'm' },
      },
      'Stopped',
      'Halted',
    ],
    [
      'halted, still on',
      guest('Halted'),
      {
        host: ready,
        domain: domain('running'),
        guest: { kind: 'notChecked', reason: 'NotRunning', message: 'm' },
      },
      'Stopping',
      'Stopping',
    ],
  ])('%s', (_name, input, observation, phase, readyReason) => {
    const status = desiredGuestStatus(input, observation, T0);
    expect(status.phase).toBe(phase);
    expect(condition(status, 'Ready')?.reason).toBe(readyReason);
    expect(status.observedGeneration).toBe(2);
  });

  it('records the start time and, when the guest first answers, the boot seconds', () => {
    const started = desiredGuestStatus(
      guest(),
      {
        host: ready,
        domain: domain('running'),
        guest: { kind: 'notChecked', reason: 'JustStarted', message: 'm' },
        startedNow: true,
      },
      T0,
    );
    expect(started.startTime).toBe(T0);
    const reached = desiredGuestStatus(
      guest('Always', started),
      {
        host: ready,
        domain: domain('running'),
        guest: { kind: 'reached' },
        addresses: [{ type: 'HostForward', address: '127.0.0.1:10022', source: 'HostForward' }],
        endpoints: [{ service: 'ssh', guestPort: 22, source: 'HostForward' }],
      },
      T1,
    );
    expect(reached.bootSeconds).toBe(65);
    expect(reached.addresses).toEqual([
      { type: 'HostForward', address: '127.0.0.1:10022', source: 'HostForward' },
    ]);
    expect(reached.endpoints).toEqual([{ service: 'ssh', guestPort: 22, source: 'HostForward' }]);
    expect(condition(reached, 'GuestReady')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
  });

  it('says what was seen last once the guest is past its expected boot time, and only then', () => {
    const started = { startTime: T0 };
    const stuck = {
      kind: 'unreachable',
      reason: 'CloudInitNotDone',
      message: 'running modules-final',
    } as const;
    const observe = { host: ready, domain: domain('running'), guest: stuck };
    const early = desiredGuestStatus(guest('Always', started), observe, '2026-01-01T00:14:59.000Z');
    expect(condition(early, 'Ready')?.reason).toBe('Starting');
    expect(condition(early, 'GuestReady')).toMatchObject({ status: 'False', reason: 'CloudInitNotDone' });
    const late = desiredGuestStatus(guest('Always', started), observe, '2026-01-01T00:15:01.000Z');
    expect(condition(late, 'Ready')).toMatchObject({
      reason: 'NotReadyInTime',
      message: 'not GuestReady within 900 s of its start: CloudInitNotDone: running modules-final',
    });
    // The message does not tick with the clock: no status write per reconcile.
    const later = desiredGuestStatus(guest('Always', late), observe, '2026-01-01T00:20:00.000Z');
    expect(condition(later, 'Ready')).toEqual(condition(late, 'Ready'));
  });

  it('says when a size change waits for the next restart, and when the guest runs as specified', () => {
    const running = { host: ready, domain: domain('running'), guest: { kind: 'reached' } } as const;
    const pending = desiredGuestStatus(guest(), { ...running, restartPending: 'vcpus 1 → 2' }, T0);
    expect(condition(pending, 'RestartPending')).toMatchObject({
      status: 'True',
      reason: 'RestartRequired',
      message: expect.stringContaining('vcpus 1 → 2'),
    });
    expect(condition(pending, 'Ready')?.status).toBe('True');
    expect(condition(desiredGuestStatus(guest(), running, T0), 'RestartPending')).toMatchObject({
      status: 'False',
      reason: 'UpToDate',
    });
  });

  it('says where the console log is', () => {
    const consoleLog = {
      pool: 'servirt',
      volume: 'servirt-default-ns1.console.log',
      path: '/p/x.console.log',
    };
    const status = desiredGuestStatus(
      guest(),
      { host: ready, domain: { ...domain('running'), consoleLog }, guest: { kind: 'reached' } },
      T0,
    );
    expect(status.consoleLog).toEqual(consoleLog);
  });
});
