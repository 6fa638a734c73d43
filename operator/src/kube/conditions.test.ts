import { setCondition, setConditions, type Condition } from './conditions.js';

const T1 = '2026-01-01T00:00:00Z';
const T2 = '2026-01-01T00:05:00Z';
const ready = (status: Condition['status'], reason = 'Reachable', observedGeneration = 1) => ({
  type: 'Ready',
  status,
  reason,
  message: `host ${reason}`,
  observedGeneration,
});

describe('setCondition', () => {
  it('adds a missing condition with the current time', () => {
    expect(setCondition(undefined, ready('True'), T1)).toEqual([
      { ...ready('True'), lastTransitionTime: T1 },
    ]);
  });

  it('keeps lastTransitionTime when only reason, message or generation change', () => {
    const before = setCondition([], ready('False', 'Unreachable'), T1);
    const after = setCondition(before, ready('False', 'Timeout', 2), T2);
    expect(after).toEqual([{ ...ready('False', 'Timeout', 2), lastTransitionTime: T1 }]);
  });

  it('moves lastTransitionTime when the status flips', () => {
    const before = setCondition([], ready('False', 'Unreachable'), T1);
    expect(setCondition(before, ready('True'), T2)[0]?.lastTransitionTime).toBe(T2);
  });

  it('leaves other conditions and their order alone, and does not mutate its input', () => {
    const other = {
      type: 'Defined',
      status: 'True' as const,
      reason: 'Defined',
      message: '',
      lastTransitionTime: T1,
    };
    const before = [other];
    const after = setConditions(before, [ready('True'), { ...ready('Unknown'), type: 'Running' }], T2);
    expect(after.map((condition) => condition.type)).toEqual(['Defined', 'Ready', 'Running']);
    expect(before).toHaveLength(1);
  });
});
