import { describe, expect, it } from '@jest/globals';
import type { RunPlan } from './plan.js';
import { parsePlan } from './planCheck.js';

const plan: RunPlan = {
  benchmark: { namespace: 'ns', name: 'dns', uid: 'u1' },
  runId: '20261127-140512',
  repeat: 2,
  type: 'dns',
  durationSeconds: 30,
  warmupSeconds: 0,
  targets: [
    { name: 'native', kind: 'native' },
    { name: 'vm', kind: 'guestDomain', endpoint: { host: '127.0.0.1', port: 10053 } },
  ],
  dns: { clients: 4, threads: 1, timeoutSeconds: 5 },
  inputConfigMap: 'dns-20261127-140512-input',
  resultConfigMap: 'dns-20261127-140512-2-result',
};
const text = (changes: Record<string, unknown>) => JSON.stringify({ ...plan, ...changes });

describe('parsePlan', () => {
  it.each([
    ['missing', undefined, 'no plan: SERVIRT_BENCH_PLAN is not set'],
    ['empty', '', 'no plan: SERVIRT_BENCH_PLAN is not set'],
    ['not JSON', '{plan', /^the plan is not JSON: /],
    ['null', 'null', 'the plan is not an object'],
    ['a number', '42', 'the plan is not an object'],
    ['no benchmark', text({ benchmark: undefined }), 'the plan names no benchmark (namespace, name, uid)'],
    ['a benchmark without uid', text({ benchmark: { namespace: 'ns', name: 'dns' } }), /names no benchmark/],
    ['a bad type', text({ type: 'disk' }), 'unknown benchmark type "disk"'],
    ['zero duration', text({ durationSeconds: 0 }), 'durationSeconds must be more than zero'],
    ['a negative duration', text({ durationSeconds: -1 }), 'durationSeconds must be more than zero'],
    ['no duration', text({ durationSeconds: undefined }), 'durationSeconds must be more than zero'],
    ['no targets', text({ targets: [] }), 'the plan has no targets'],
    ['targets not a list', text({ targets: {} }), 'the plan has no targets'],
    ['an unknown kind', text({ targets: [{ name: 'x', kind: 'pod' }] }), 'target x has unknown kind "pod"'],
    ['no runId', text({ runId: '' }), 'the plan needs runId, inputConfigMap and resultConfigMap'],
    ['no result ConfigMap', text({ resultConfigMap: undefined }), /needs runId/],
    ['dns without dns settings', text({ dns: undefined }), 'a dns plan needs dns settings'],
  ])('rejects %s', (_, input, error) => {
    const got = parsePlan(input);
    expect(got).toEqual({ error: typeof error === 'string' ? error : expect.stringMatching(error) });
  });

  it('accepts a plan', () => {
    expect(parsePlan(JSON.stringify(plan))).toEqual({ plan });
  });

  it('defaults warmupSeconds to 0 and repeat to 1', () => {
    expect(parsePlan(text({ warmupSeconds: undefined, repeat: undefined }))).toEqual({
      plan: { ...plan, warmupSeconds: 0, repeat: 1 },
    });
  });

  it('accepts an http plan without dns settings', () => {
    const http = { ...plan, type: 'http', dns: undefined, http: { path: '/', connections: 32, threads: 1 } };
    expect(parsePlan(JSON.stringify(http))).toEqual({ plan: JSON.parse(JSON.stringify(http)) });
  });
});
