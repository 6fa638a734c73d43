// One stream of libvirt's domain lifecycle events per host connection: `virsh event --loop` as a
// long-lived child (argv only), restarted with backoff when it ends (libvirtd restarted, the SSH
// connection dropped). The periodic check stays the fallback for whatever a gap in the stream misses.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { openConnection, usesSsh, usesTls, type LibvirtConnection } from './connection.js';
import type { CredentialSource } from './virsh.js';

export interface LifecycleEvent {
  domain: string;
  /** libvirt's event, e.g. Started, Stopped, Suspended, Resumed, Shutdown, Crashed, Defined, Undefined. */
  event: string;
  /** Its detail, e.g. Destroyed, Booted, Finished, Failed. */
  detail: string;
  /** When libvirt reported it (ms since the epoch), or when it was read if virsh gave no time. */
  atMs: number;
}

/** One line of `virsh event --timestamp`, or undefined for anything else. Pure. */
export function parseLifecycleLine(line: string, readAtMs: number): LifecycleEvent | undefined {
  const match =
    /^(?:(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d+)([+-]\d{4}): )?event 'lifecycle' for domain '?([^':]+)'?: (\S+)(?: (\S+))?\s*$/.exec(
      line,
    );
  if (!match) return undefined;
  const [, date, time, zone, domain, event, detail] = match;
  const at = date && time && zone ? Date.parse(`${date}T${time}${zone.slice(0, 3)}:${zone.slice(3)}`) : NaN;
  return {
    domain: domain ?? '',
    event: event ?? '',
    detail: detail ?? '',
    atMs: Number.isFinite(at) ? at : readAtMs,
  };
}

export interface LifecycleStreamOptions {
  /** First delay before a restart; doubles up to maxRestartDelayMs while the stream keeps failing. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Told when the stream ends or cannot start (a short reason, no host output). */
  onProblem?: (reason: string) => void;
}

/** Watches one host's lifecycle events until stop(). */
export class LifecycleStream {
  private child?: ChildProcess;
  private connection?: LibvirtConnection;
  private stopped = false;
  private restartTimer?: NodeJS.Timeout;
  private delayMs: number;

  constructor(
    private readonly uri: string,
    private readonly credentials: CredentialSource | undefined,
    private readonly onEvent: (event: LifecycleEvent) => void,
    private readonly options: LifecycleStreamOptions = {},
  ) {
    this.delayMs = options.restartDelayMs ?? 1_000;
  }

  start(): void {
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await this.connection?.close();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    let uri = this.uri;
    let env: NodeJS.ProcessEnv = process.env;
    try {
      if (usesSsh(this.uri) || usesTls(this.uri)) {
        this.connection = await openConnection(this.uri, await this.credentials?.());
        uri = this.connection.uri;
        env = this.connection.env ?? env;
      }
    } catch {
      this.options.onProblem?.('cannot open the host connection');
      return this.restartLater();
    }
    if (this.stopped) return void (await this.connection?.close());
    const startedAt = Date.now();
    const child = spawn(
      'virsh',
      ['--connect', uri, 'event', '--loop', '--event', 'lifecycle', '--timestamp'],
      {
        env,
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    this.child = child;
    child.on('error', () => {});
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseLifecycleLine(line, Date.now());
      if (event) this.onEvent(event);
    });
    child.once('exit', () => {
      void this.connection?.close();
      this.connection = undefined;
      if (this.stopped) return;
      // A stream that ran a while was healthy: start again soon; one that keeps dying backs off.
      if (Date.now() - startedAt > 60_000) this.delayMs = this.options.restartDelayMs ?? 1_000;
      this.options.onProblem?.('the event stream ended');
      this.restartLater();
    });
  }

  private restartLater(): void {
    if (this.stopped) return;
    this.restartTimer = setTimeout(() => void this.run(), this.delayMs);
    this.restartTimer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxRestartDelayMs ?? 30_000);
  }
}
