// Pure parts of the guest readiness probe: what one probe saw, and what a run of probes means.
import type { GuestDomain } from '../../api/types.generated.js';
import type { ConnectFailure } from '../../guest/channel.js';

export interface ProbeSettings {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  expectedBootSeconds: number;
}

export function probeSettings(guest: GuestDomain): ProbeSettings {
  const declared = guest.spec.readinessProbe ?? {};
  return {
    initialDelaySeconds: declared.initialDelaySeconds ?? 0,
    periodSeconds: declared.periodSeconds ?? 10,
    timeoutSeconds: declared.timeoutSeconds ?? 60,
    failureThreshold: declared.failureThreshold ?? 3,
    expectedBootSeconds: declared.expectedBootSeconds ?? 900,
  };
}

export type NotReadyReason =
  'NotBooted' | 'NoSSH' | 'HostKeyMismatch' | 'CloudInitNotDone' | 'CloudInitFailed';

export type ProbeOutcome = { kind: 'ready' } | { kind: 'notReady'; reason: NotReadyReason; message: string };

/** What a probe got back: either the SSH connection failed, or the guest printed its cloud-init files. */
export type ProbeResult =
  | { kind: 'connectFailed'; failure: ConnectFailure; where: string; console?: string }
  | { kind: 'commandFailed'; where: string }
  | { kind: 'cloudInit'; statusJson: string; resultJson: string };

/** The command a probe runs in the guest: two small files, no Python (cloud-init status takes ~40 s under TCG). */
export const PROBE_SEPARATOR = '--servirt-result--';
export const PROBE_COMMAND = [
  'sh',
  '-c',
  `cat /run/cloud-init/status.json 2>/dev/null; echo; echo ${PROBE_SEPARATOR}; cat /run/cloud-init/result.json 2>/dev/null; true`,
];

export function parseProbeOutput(stdout: string): ProbeResult {
  const [statusJson = '', resultJson = ''] = stdout.split(PROBE_SEPARATOR);
  return { kind: 'cloudInit', statusJson: statusJson.trim(), resultJson: resultJson.trim() };
}

export function classifyProbe(result: ProbeResult): ProbeOutcome {
  if (result.kind === 'connectFailed') return connectOutcome(result);
  if (result.kind === 'commandFailed')
    return {
      kind: 'notReady',
      reason: 'NoSSH',
      message: `logged in on ${result.where} but reading cloud-init's state failed or timed out`,
    };
  const final = jsonObject(result.resultJson);
  if (!final) {
    const stage = stringField(jsonObject(result.statusJson), 'stage');
    return {
      kind: 'notReady',
      reason: 'CloudInitNotDone',
      message: stage
        ? `first-boot configuration (cloud-init) is running its ${stage} stage`
        : 'first-boot configuration (cloud-init) has not finished',
    };
  }
  const errors = Array.isArray(final.errors) ? final.errors : [];
  if (errors.length === 0) return { kind: 'ready' };
  const modules = [...new Set(errors.map(failedModule))].join(', ');
  return {
    kind: 'notReady',
    reason: 'CloudInitFailed',
    message:
      `first-boot configuration (cloud-init) finished with ${errors.length} error(s) in ${modules}; ` +
      'see `servirt guest console` or /var/log/cloud-init-output.log in the guest',
  };
}

/**
 * Whether a console tail shows a kernel that booted: its banner, a timestamped kernel line
 * (`[   12.345678] …`) or a login prompt. The tail is the end of the log only: on a guest that
 * booted long ago the banner has scrolled out of it.
 */
const KERNEL_PRINTED = /Linux version|^\[\s*\d+\.\d{6}\]|login: *$/m;

function connectOutcome(result: Extract<ProbeResult, { kind: 'connectFailed' }>): ProbeOutcome {
  if (result.failure === 'hostKeyMismatch')
    return {
      kind: 'notReady',
      reason: 'HostKeyMismatch',
      message: `SSH on ${result.where} presented a host key other than the one servirt gave this guest`,
    };
  if (result.console !== undefined && !KERNEL_PRINTED.test(result.console))
    return {
      kind: 'notReady',
      reason: 'NotBooted',
      message: 'the kernel has printed nothing on the serial console yet',
    };
  const seen = lastConsoleLine(result.console);
  const why =
    result.failure === 'authentication'
      ? `SSH on ${result.where} refused the operator's key (cloud-init has not installed it yet)`
      : result.failure === 'timeout'
        ? `SSH on ${result.where} did not finish its handshake in time`
        : `SSH on ${result.where} does not answer`;
  return {
    kind: 'notReady',
    reason: 'NoSSH',
    message: seen ? `${why}; the console last showed: ${seen}` : why,
  };
}

/** Guest text goes into status only as one short line of printable ASCII. */
export function lastConsoleLine(console: string | undefined): string | undefined {
  if (!console) return undefined;
  const lines = console
    .split(/\r?\n|\r/)
    .map((line) =>
      line
        // eslint-disable-next-line no-control-regex
        .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
        .replace(/[^\x20-\x7e]/g, '')
        .trim(),
    )
    .filter((line) => line.length > 0);
  const last = lines.at(-1);
  return last === undefined ? undefined : last.length > 120 ? `${last.slice(0, 117)}...` : last;
}

function failedModule(error: unknown): string {
  const name = typeof error === 'string' ? /^\('([A-Za-z0-9_-]{1,64})'/.exec(error)?.[1] : undefined;
  return name ?? 'an unnamed stage';
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as { v1?: unknown };
    return parsed && typeof parsed.v1 === 'object' && parsed.v1 !== null
      ? (parsed.v1 as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(object: Record<string, unknown> | undefined, field: string): string | undefined {
  const value = object?.[field];
  return typeof value === 'string' && /^[a-z-]{1,32}$/.test(value) ? value : undefined;
}

/** A guest's probe results since it last started. */
export interface ProbeHistory {
  last: ProbeOutcome;
  consecutiveFailures: number;
  everReady: boolean;
}

export function recordProbe(history: ProbeHistory | undefined, outcome: ProbeOutcome): ProbeHistory {
  const ready = outcome.kind === 'ready';
  return {
    last: outcome,
    consecutiveFailures: ready ? 0 : (history?.consecutiveFailures ?? 0) + 1,
    everReady: ready || (history?.everReady ?? false),
  };
}

export type Readiness =
  { ready: true } | { ready: false; reason: NotReadyReason | 'NotProbed'; message: string };

/**
 * A guest that has been ready stays ready until failureThreshold probes in a row fail; one that
 * has not is not ready until a probe succeeds. wasReady carries GuestReady over an operator restart.
 */
export function readiness(
  history: ProbeHistory | undefined,
  settings: ProbeSettings,
  wasReady: boolean,
): Readiness {
  if (!history)
    return wasReady
      ? { ready: true }
      : { ready: false, reason: 'NotProbed', message: 'waiting for the first readiness probe' };
  if (history.last.kind === 'ready') return { ready: true };
  if ((history.everReady || wasReady) && history.consecutiveFailures < settings.failureThreshold)
    return { ready: true };
  return { ready: false, reason: history.last.reason, message: history.last.message };
}
