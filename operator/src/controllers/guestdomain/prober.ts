// Readiness probes run beside the reconciler, never inside it: at most one per guest in flight, no
// more often than its period, each with the whole timeoutSeconds for the SSH handshake and command.
// A guest under software emulation needs tens of seconds for a handshake when the host is busy;
// probes that give up early and start again only load it more.
import type { GuestChannel, GuestEndpoint } from '../../guest/channel.js';
import { GuestConnectError } from '../../guest/channel.js';
import {
  classifyProbe,
  parseProbeOutput,
  PROBE_COMMAND,
  recordProbe,
  type ProbeHistory,
  type ProbeResult,
  type ProbeSettings,
} from './readiness.js';

export interface ProbeTarget {
  /** Probes of one incarnation of the guest share a history: uid and start time. */
  incarnation: string;
  endpoint: GuestEndpoint;
  settings: ProbeSettings;
  /** When this incarnation started (epoch ms), for initialDelaySeconds. */
  startedAtMs: number;
  /** The tail of the serial console, where the host keeps one: tells "not booted" from "no SSH". */
  consoleTail?: () => Promise<string>;
}

interface ProbeState {
  incarnation: string;
  history?: ProbeHistory;
  inFlight: boolean;
  lastStartedMs: number;
}

export type Connect = (endpoint: GuestEndpoint, timeoutMs: number) => Promise<GuestChannel>;

export class GuestProber {
  private readonly states = new Map<string, ProbeState>();

  constructor(
    private readonly connect: Connect,
    /** Called when a probe of key finished: its verdict may have changed. */
    private readonly changed: (key: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The history so far for this incarnation, starting a probe when one is due. */
  observe(key: string, target: ProbeTarget): ProbeHistory | undefined {
    let state = this.states.get(key);
    if (!state || state.incarnation !== target.incarnation) {
      state = { incarnation: target.incarnation, inFlight: false, lastStartedMs: 0 };
      this.states.set(key, state);
    }
    const now = this.clock();
    const due =
      !state.inFlight &&
      now - target.startedAtMs >= target.settings.initialDelaySeconds * 1000 &&
      now - state.lastStartedMs >= target.settings.periodSeconds * 1000;
    if (due) {
      state.inFlight = true;
      state.lastStartedMs = now;
      void this.probe(key, state, target);
    }
    return state.history;
  }

  /** Forgets a guest that is gone or no longer meant to run. */
  forget(key: string): void {
    this.states.delete(key);
  }

  private async probe(key: string, state: ProbeState, target: ProbeTarget): Promise<void> {
    const result = await this.run(target);
    state.inFlight = false;
    if (this.states.get(key) !== state) return;
    state.history = recordProbe(state.history, classifyProbe(result));
    this.changed(key);
  }

  private async run(target: ProbeTarget): Promise<ProbeResult> {
    const timeoutMs = target.settings.timeoutSeconds * 1000;
    const where = `${target.endpoint.host}:${target.endpoint.port}`;
    let channel: GuestChannel | undefined;
    try {
      channel = await this.connect(target.endpoint, timeoutMs);
    } catch (error) {
      const failure = error instanceof GuestConnectError ? error.failure : 'other';
      const console = await target.consoleTail?.().catch(() => undefined);
      return { kind: 'connectFailed', failure, where, ...(console !== undefined && { console }) };
    }
    try {
      const output = await channel.run(PROBE_COMMAND, { timeoutMs, maxOutputBytes: 256 * 1024 });
      return output.code === 0 ? parseProbeOutput(output.stdout) : { kind: 'commandFailed', where };
    } catch {
      return { kind: 'commandFailed', where };
    } finally {
      channel.close();
    }
  }
}
