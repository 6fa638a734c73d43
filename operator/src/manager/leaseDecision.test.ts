import { decideLease } from './leaseDecision.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const base = { identity: 'me', observedAt: T0, now: T0, leaseDurationSeconds: 15 };

describe('decideLease', () => {
  it('acquires a lease nobody created yet', () => {
    const decision = decideLease(base);
    expect(decision).toEqual({
      action: 'acquire',
      record: expect.objectContaining({
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        leaseTransitions: 0,
      }),
    });
  });

  it('renews its own lease, keeping the acquire time', () => {
    const current = {
      holderIdentity: 'me',
      acquireTime: 'then',
      renewTime: 'then',
      leaseDurationSeconds: 15,
    };
    const decision = decideLease({ ...base, current, now: T0 + 2000 });
    expect(decision).toMatchObject({
      action: 'renew',
      record: { acquireTime: 'then', renewTime: '2026-01-01T00:00:02.000000Z' },
    });
  });

  it.each([
    ['waits while another holder renewed within the lease duration', 14_000, 'wait'],
    ['takes over once the holder was silent for longer than the lease duration', 15_001, 'acquire'],
  ])('%s', (_title, silentFor, action) => {
    const current = { holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 3 };
    const decision = decideLease({ ...base, current, observedAt: T0, now: T0 + silentFor });
    expect(decision.action).toBe(action);
    if (decision.action === 'acquire') expect(decision.record.leaseTransitions).toBe(4);
  });

  it('takes a released lease (empty holder) at once', () => {
    const current = { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 1 };
    expect(decideLease({ ...base, current }).action).toBe('acquire');
  });
});
