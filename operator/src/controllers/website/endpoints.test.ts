import type { GuestDomain } from '../../api/types.generated.js';
import { addressEndpoints } from '../../guest/access/endpoints.js';
import { webGuestOf } from './endpoints.js';

const guest = (extra: Partial<GuestDomain['metadata']> = {}, ready = true) =>
  ({
    metadata: { name: 'web1', namespace: 'web', uid: 'u1', ...extra },
    spec: {},
    status: {
      endpoints: addressEndpoints('192.0.2.80'),
      conditions: [{ type: 'GuestReady', status: ready ? 'True' : 'False' }],
    },
  }) as unknown as GuestDomain;

describe('webGuestOf', () => {
  it('reaches a ready guest at its published endpoints', () => {
    expect(webGuestOf(guest(), 'web1')).toEqual({
      kind: 'found',
      guest: {
        guest: 'web1',
        id: 'u1',
        ssh: { host: '192.0.2.80', port: 22 },
        http: { host: '192.0.2.80', port: 80 },
        https: { host: '192.0.2.80', port: 443 },
      },
    });
  });

  it('does not use a guest being deleted, still GuestReady or not (its sites go with it)', () => {
    const deleting = guest({ deletionTimestamp: '2026-12-07T16:00:00Z' as unknown as Date });
    expect(webGuestOf(deleting, 'web1')).toMatchObject({ kind: 'problem', reason: 'GuestDeleting' });
  });

  it('says why a guest cannot serve', () => {
    expect(webGuestOf(undefined, 'web1')).toMatchObject({ reason: 'GuestNotFound' });
    expect(webGuestOf(guest({}, false), 'web1')).toMatchObject({ reason: 'GuestNotReady' });
    const noEndpoints = { ...guest(), status: { conditions: guest().status?.conditions } } as GuestDomain;
    expect(webGuestOf(noEndpoints, 'web1')).toMatchObject({ reason: 'GuestUnreachable' });
  });
});
