// The steps of an e2e suite, in order: a step whose needs did not pass fails at once with a message
// naming the step that failed first (instead of waiting out its own timeout), and when anything
// failed the suite saves its evidence (evidence.ts) before it cleans up.
import { afterAll, beforeAll, it } from '@jest/globals';
import { StepLedger } from '../../hack/testing/stepLedger.js';
import { saveEvidence, type EvidenceSources } from './evidence.js';

export interface E2eSuite {
  /** Like beforeAll; when it fails every step fails naming it. */
  setUp(fn: () => Promise<void>): void;
  /** A test that needs every earlier step, or only those in needs. */
  step(name: string, fn: () => Promise<void>, options?: { needs?: string[]; timeoutMs?: number }): void;
  /** Like afterAll, after the evidence of a failed suite is saved. */
  cleanUp(fn: () => Promise<void>): void;
}

export function e2eSuite(suite: string, sources: () => EvidenceSources): E2eSuite {
  const ledger = new StepLedger();
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    if (ledger.failed()) {
      const failures = ledger.failures();
      console.log(`${suite}: ${failures.map((f) => `${f.step}: ${f.error}`).join('\n')}`);
      await saveEvidence(suite, sources());
    }
    for (const cleanup of cleanups) await cleanup();
  }, 600_000);

  return {
    setUp(fn) {
      beforeAll(async () => {
        try {
          await fn();
        } catch (error) {
          ledger.failSetup(error);
          throw error;
        }
      }, 300_000);
    },
    step(name, fn, options = {}) {
      ledger.register(name, options.needs);
      it(
        name,
        async () => {
          const blocker = ledger.blocker(name);
          if (blocker !== undefined) {
            ledger.skip(name, blocker);
            throw new Error(blocker);
          }
          ledger.start(name);
          try {
            await fn();
            ledger.pass(name);
          } catch (error) {
            ledger.fail(name, error);
            throw error;
          }
        },
        options.timeoutMs,
      );
    },
    cleanUp(fn) {
      cleanups.push(fn);
    },
  };
}
