import { firstErrorLine, StepLedger } from './stepLedger.js';

const BOOT = 'boots both guests';
const SERVE = 'serves the zone';

function ledger(...names: [string, string[]?][]): StepLedger {
  const steps = new StepLedger();
  for (const [name, needs] of names) steps.register(name, needs);
  return steps;
}

describe('StepLedger', () => {
  it('lets a step run when every step it needs passed', () => {
    const steps = ledger([BOOT], [SERVE]);
    expect(steps.blocker(BOOT)).toBeUndefined();
    steps.start(BOOT);
    steps.pass(BOOT);
    expect(steps.blocker(SERVE)).toBeUndefined();
    expect(steps.failed()).toBe(false);
  });

  it("blocks a step whose needed step failed, naming it and its error's first line", () => {
    const steps = ledger([BOOT], [SERVE, [BOOT]]);
    steps.start(BOOT);
    steps.fail(BOOT, new Error('both guests GuestReady not met within 480000 ms\n    at eventually'));
    expect(steps.blocker(SERVE)).toBe(
      "skipped work: step 'boots both guests' failed: both guests GuestReady not met within 480000 ms",
    );
    expect(steps.failures()).toEqual([
      { step: BOOT, error: 'both guests GuestReady not met within 480000 ms' },
    ]);
  });

  it('needs every earlier step by default, and none with needs: []', () => {
    const steps = ledger(['a'], ['b'], ['c'], ['d', []]);
    expect(steps.needs('c')).toEqual(['a', 'b']);
    expect(steps.needs('a')).toEqual([]);
    steps.start('a');
    steps.pass('a');
    steps.start('b');
    steps.fail('b', 'b broke');
    expect(steps.blocker('c')).toBe("skipped work: step 'b' failed: b broke");
    expect(steps.blocker('d')).toBeUndefined();
  });

  it('names the first cause, not the step that was skipped because of it', () => {
    const steps = ledger([BOOT], [SERVE], ['changes a record', [SERVE]]);
    steps.start(BOOT);
    steps.fail(BOOT, new Error('no IP'));
    steps.skip(SERVE, steps.blocker(SERVE) as string);
    expect(steps.blocker('changes a record')).toBe("skipped work: step 'boots both guests' failed: no IP");
    expect(steps.failures().map((f) => f.step)).toEqual([BOOT, SERVE]);
  });

  it('counts a step that jest gave up on (still running when the next starts) as failed', () => {
    const steps = ledger([BOOT], [SERVE, []]);
    steps.start(BOOT);
    steps.start(SERVE);
    expect(steps.state(BOOT)).toEqual({ status: 'timedOut' });
    // Its function ends after all: too late to count.
    steps.pass(BOOT);
    expect(steps.state(BOOT)).toEqual({ status: 'timedOut' });
    steps.pass(SERVE);
    expect(steps.failures()).toEqual([{ step: BOOT, error: 'did not finish within its timeout' }]);
  });

  it('counts the last step still running at the end (its timeout) as failed', () => {
    const steps = ledger([BOOT]);
    steps.start(BOOT);
    expect(steps.failed()).toBe(true);
  });

  it('blocks steps whose needed step did not run, but does not count steps that did not run', () => {
    const steps = ledger([BOOT], [SERVE]);
    expect(steps.blocker(SERVE)).toBe("skipped work: step 'boots both guests' did not run");
    expect(steps.failed()).toBe(false);
  });

  it('blocks everything after a failed beforeAll and reports it', () => {
    const steps = ledger([BOOT, []]);
    steps.failSetup(new Error('namespace exists'));
    expect(steps.blocker(BOOT)).toBe('skipped work: beforeAll failed: namespace exists');
    expect(steps.failures()).toEqual([{ step: 'beforeAll', error: 'namespace exists' }]);
  });

  it('refuses duplicate steps and needs that are not earlier steps', () => {
    expect(() => ledger(['a'], ['a'])).toThrow("step 'a' is registered twice");
    expect(() => ledger(['a', ['b']])).toThrow("step 'a' needs 'b', which is not an earlier step");
  });
});

describe('firstErrorLine', () => {
  it('takes the first non-empty line, without terminal colours', () => {
    expect(
      firstErrorLine(new Error('\n\u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: 1')),
    ).toBe('expect(received).toBe(expected)');
    expect(firstErrorLine('plain')).toBe('plain');
    expect(firstErrorLine(new Error(''))).toBe('Error');
    expect(firstErrorLine(new Error('x'.repeat(400)))).toHaveLength(300);
  });
});
