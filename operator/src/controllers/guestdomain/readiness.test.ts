import type { GuestDomain } from '../../api/types.generated.js';
import {
  classifyProbe,
  lastConsoleLine,
  parseProbeOutput,
  PROBE_SEPARATOR,
  probeSettings,
  readiness,
  recordProbe,
  type ProbeOutcome,
  type ProbeResult,
} from './readiness.js';

const where = '127.0.0.1:10022';
const bootedConsole =
  '[    0.000000] Linux version 6.1.0-57-amd64\r\n[\x1b[32m  OK  \x1b[0m] Started ssh.service\r\n';
const settings = probeSettings({ spec: {} } as GuestDomain);
const notReady = (reason: string) => expect.objectContaining({ kind: 'notReady', reason });

describe('classifyProbe', () => {
  it.each<[string, ProbeResult, unknown]>([
    ['host key', { kind: 'connectFailed', failure: 'hostKeyMismatch', where }, notReady('HostKeyMismatch')],
    [
      'empty console',
      { kind: 'connectFailed', failure: 'refused', where, console: '' },
      notReady('NotBooted'),
    ],
    [
      'firmware only',
      { kind: 'connectFailed', failure: 'timeout', where, console: 'SeaBIOS (version 1.16.2)\n' },
      notReady('NotBooted'),
    ],
    [
      'kernel up, no sshd',
      { kind: 'connectFailed', failure: 'timeout', where, console: bootedConsole },
      {
        kind: 'notReady',
        reason: 'NoSSH',
        message: `SSH on ${where} did not finish its handshake in time; the console last showed: [  OK  ] Started ssh.service`,
      },
    ],
    [
      'a booted kernel whose banner has scrolled out of the tail',
      {
        kind: 'connectFailed',
        failure: 'timeout',
        where,
        console: '[  164.683437] cloud-init[423]: Cloud-init v. 22.4.2 finished\r\n',
      },
      notReady('NoSSH'),
    ],
    ['no console known', { kind: 'connectFailed', failure: 'other', where }, notReady('NoSSH')],
    [
      'key not yet installed',
      { kind: 'connectFailed', failure: 'authentication', where, console: bootedConsole },
      notReady('NoSSH'),
    ],
    ['command failed', { kind: 'commandFailed', where }, notReady('NoSSH')],
    [
      'cloud-init running',
      parseProbeOutput(`{"v1": {"stage": "modules-final"}}\n${PROBE_SEPARATOR}\n`),
      {
        kind: 'notReady',
        reason: 'CloudInitNotDone',
        message: 'first-boot configuration (cloud-init) is running its modules-final stage',
      },
    ],
    ['no files yet', parseProbeOutput(`\n${PROBE_SEPARATOR}\n`), notReady('CloudInitNotDone')],
    [
      'done',
      parseProbeOutput(
        `{"v1": {"stage": null}}\n${PROBE_SEPARATOR}\n{"v1": {"datasource": "n", "errors": []}}`,
      ),
      { kind: 'ready' },
    ],
  ])('%s', (_name, result, expected) => {
    expect(classifyProbe(result)).toEqual(expected);
  });

  it('names the failed modules and no guest text beyond them', () => {
    const errors = [
      "('scripts_user', RuntimeError('Runparts: 1 failures (runcmd) in 1 attempted commands'))",
      "('scripts_user', RuntimeError('again'))",
      'token=SECRET',
    ];
    const outcome = classifyProbe(
      parseProbeOutput(`{}\n${PROBE_SEPARATOR}\n${JSON.stringify({ v1: { errors } })}`),
    );
    expect(outcome).toMatchObject({ kind: 'notReady', reason: 'CloudInitFailed' });
    const message = (outcome as { message: string }).message;
    expect(message).toContain('3 error(s) in scripts_user, an unnamed stage');
    expect(message).not.toContain('SECRET');
    expect(message).not.toContain('Runparts');
  });
});

describe('lastConsoleLine', () => {
  it('keeps one short printable line', () => {
    expect(lastConsoleLine(`a\n${'x'.repeat(300)}\u0007\n\n`)).toBe(`${'x'.repeat(117)}...`);
    expect(lastConsoleLine('\r\n\x1b[2J')).toBeUndefined();
  });
});

describe('readiness', () => {
  const fail: ProbeOutcome = { kind: 'notReady', reason: 'NoSSH', message: 'm' };
  const ok: ProbeOutcome = { kind: 'ready' };
  const run = (...outcomes: ProbeOutcome[]) => outcomes.reduce(recordProbe, undefined as never);

  it('is not ready until a probe succeeds, then ready at once', () => {
    expect(readiness(undefined, settings, false)).toMatchObject({ ready: false, reason: 'NotProbed' });
    expect(readiness(run(fail, fail, fail, fail), settings, false)).toMatchObject({
      ready: false,
      reason: 'NoSSH',
    });
    expect(readiness(run(fail, ok), settings, false)).toEqual({ ready: true });
  });

  it('stays ready through fewer than failureThreshold failures in a row', () => {
    expect(readiness(run(ok, fail, fail), settings, false)).toEqual({ ready: true });
    expect(readiness(run(ok, fail, fail, fail), settings, false)).toMatchObject({ ready: false });
    expect(readiness(run(ok, fail, fail, ok, fail, fail), settings, false)).toEqual({ ready: true });
  });

  it('carries a ready guest over an operator restart', () => {
    expect(readiness(undefined, settings, true)).toEqual({ ready: true });
    expect(readiness(run(fail, fail), settings, true)).toEqual({ ready: true });
    expect(readiness(run(fail, fail, fail), settings, true)).toMatchObject({ ready: false });
  });
});
