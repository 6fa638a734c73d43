import type { GuestDomain } from '../../api/types.generated.js';
import { usableGuest } from './usable.js';

const guest = (metadata: Partial<GuestDomain['metadata']>, ready: 'True' | 'False' | undefined) =>
  ({
    metadata: { name: 'ns1', namespace: 'dns', ...metadata },
    spec: {},
    status: { conditions: ready ? [{ type: 'GuestReady', status: ready }] : [] },
  }) as unknown as GuestDomain;

describe('usableGuest', () => {
  it('uses a GuestReady guest', () => {
    const ready = guest({}, 'True');
    expect(usableGuest(ready, 'ns1')).toEqual({ kind: 'usable', guest: ready });
  });

  it('says why a guest cannot be used', () => {
    expect(usableGuest(undefined, 'ns1')).toEqual({
      kind: 'problem',
      reason: 'GuestNotFound',
      message: 'GuestDomain ns1 does not exist',
    });
    expect(usableGuest(guest({}, 'False'), 'ns1')).toMatchObject({ reason: 'GuestNotReady' });
    expect(usableGuest(guest({}, undefined), 'ns1')).toMatchObject({ reason: 'GuestNotReady' });
  });

  it('never uses a guest being deleted, even one still GuestReady', () => {
    const deleting = guest({ deletionTimestamp: '2026-12-07T20:00:00Z' as unknown as Date }, 'True');
    expect(usableGuest(deleting, 'ns1')).toMatchObject({ kind: 'problem', reason: 'GuestDeleting' });
  });
});
