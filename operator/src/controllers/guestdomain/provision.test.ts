import type { GuestDomain } from '../../api/types.generated.js';
import { madeFor, nameConflictMessage } from './provision.js';

const guest = (uid?: string) =>
  ({ metadata: { namespace: 'team', name: 'a-web', ...(uid !== undefined && { uid }) } }) as GuestDomain;
const owner = (uid: string) => ({ owner: { namespace: 'team', name: 'a-web', uid } });

describe('madeFor', () => {
  it.each([
    ['the uid servirt recorded for this guest', owner('uid-1'), guest('uid-1'), true],
    [
      "another GuestDomain's uid (team/a-web and team-a/web share a name)",
      owner('uid-2'),
      guest('uid-1'),
      false,
    ],
    ['no servirt metadata (a VM someone else made)', {}, guest('uid-1'), false],
    ['a guest without a uid, even against an empty recorded one', owner(''), guest(''), false],
    ['a guest without a uid', owner('uid-1'), guest(), false],
  ])('%s -> %s', (_, domain, object, expected) => {
    expect(madeFor(domain, object)).toBe(expected);
  });
});

describe('nameConflictMessage', () => {
  it('names the domain and what to do, and nothing of whose it is', () => {
    const message = nameConflictMessage('servirt-team-a-web');
    expect(message).toContain('servirt-team-a-web');
    expect(message).toMatch(/untouched/);
  });
});
