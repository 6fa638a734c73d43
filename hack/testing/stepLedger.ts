// What the steps of one e2e suite did, for test/e2e/steps.ts: which step may run, and why not.
// Pure (no jest), so that the unit project can test it (stepLedger.test.ts).

export type StepState =
  | { status: 'pending' }
  | { status: 'running' }
  | { status: 'passed' }
  | { status: 'failed'; error: string }
  /** jest moved on while it still ran: its timeout. */
  | { status: 'timedOut' }
  /** Not run because a step it needs did not pass; reason names that step (the first cause). */
  | { status: 'skipped'; reason: string };

export interface StepFailure {
  step: string;
  error: string;
}

// eslint-disable-next-line no-control-regex -- terminal colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const MAX_LINE = 300;

/** The first non-empty line of an error's message, without terminal colours, at most 300 characters. */
export function firstErrorLine(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const line =
    text
      .replace(ANSI, '')
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? (error instanceof Error ? error.name : 'unknown error');
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

export class StepLedger {
  private readonly order: string[] = [];
  private readonly states = new Map<string, StepState>();
  private readonly needsOf = new Map<string, readonly string[]>();
  private setupError?: string;

  /** Adds a step; needs default to every step registered before it. Needs must be earlier steps. */
  register(name: string, needs?: readonly string[]): void {
    if (this.states.has(name)) throw new Error(`step '${name}' is registered twice`);
    for (const need of needs ?? []) {
      if (!this.states.has(need))
        throw new Error(`step '${name}' needs '${need}', which is not an earlier step`);
    }
    this.needsOf.set(name, needs ?? [...this.order]);
    this.order.push(name);
    this.states.set(name, { status: 'pending' });
  }

  state(name: string): StepState | undefined {
    return this.states.get(name);
  }

  needs(name: string): readonly string[] {
    return this.needsOf.get(name) ?? [];
  }

  /** Why name must not run (the message its test throws), or undefined when it may. */
  blocker(name: string): string | undefined {
    if (this.setupError !== undefined) return `skipped work: beforeAll failed: ${this.setupError}`;
    for (const need of this.needs(name)) {
      const state = this.states.get(need);
      switch (state?.status) {
        case 'passed':
          continue;
        case 'failed':
          return `skipped work: step '${need}' failed: ${state.error}`;
        case 'skipped':
          return state.reason;
        case 'timedOut':
        case 'running':
          return `skipped work: step '${need}' failed: it did not finish within its timeout`;
        default:
          return `skipped work: step '${need}' did not run`;
      }
    }
    return undefined;
  }

  /** The test of name starts: a step still running has been given up by jest (timed out). */
  start(name: string): void {
    for (const [other, state] of this.states) {
      if (other !== name && state.status === 'running') this.states.set(other, { status: 'timedOut' });
    }
    this.states.set(name, { status: 'running' });
  }

  /** Ends a running step; after its timeout (no longer running) the outcome no longer counts. */
  pass(name: string): void {
    if (this.states.get(name)?.status === 'running') this.states.set(name, { status: 'passed' });
  }

  fail(name: string, error: unknown): void {
    if (this.states.get(name)?.status === 'running')
      this.states.set(name, { status: 'failed', error: firstErrorLine(error) });
  }

  skip(name: string, reason: string): void {
    this.states.set(name, { status: 'skipped', reason });
  }

  failSetup(error: unknown): void {
    this.setupError ??= firstErrorLine(error);
  }

  /**
   * Whether the suite failed: a beforeAll, or a step that threw, timed out (still running once all
   * are done) or was skipped. Steps that never ran (filtered out with -t) do not count.
   */
  failed(): boolean {
    return this.failures().length > 0;
  }

  failures(): StepFailure[] {
    const failures: StepFailure[] = [];
    if (this.setupError !== undefined) failures.push({ step: 'beforeAll', error: this.setupError });
    for (const name of this.order) {
      const state = this.states.get(name);
      if (state?.status === 'failed') failures.push({ step: name, error: state.error });
      else if (state?.status === 'skipped') failures.push({ step: name, error: state.reason });
      else if (state?.status === 'timedOut' || state?.status === 'running')
        failures.push({ step: name, error: 'did not finish within its timeout' });
    }
    return failures;
  }
}
