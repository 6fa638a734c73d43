// The guest's key Secret on the real API server: made once, never regenerated, adopted by a new guest of the same name.
import { testKubeconfig } from './cluster.js';
import { clientFor } from './runtime/harness.js';
import { ensureGuestKeys } from '../../operator/src/guest/access/sshKeys.js';
import { resourcePath, SECRETS } from '../../operator/src/kube/resourcePath.js';

describe('guest key Secret', () => {
  it('keeps the same keys across calls and moves ownership to a recreated guest', async () => {
    const admin = await clientFor(testKubeconfig());
    try {
      await admin.request({
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { metadata: { name: 'guest-keys' } },
      });
      const first = {
        metadata: { name: 'ns1', namespace: 'guest-keys', uid: '00000000-0000-4000-8000-000000000001' },
      };
      const second = { metadata: { ...first.metadata, uid: '00000000-0000-4000-8000-000000000002' } };
      const keys = await ensureGuestKeys(admin, first);
      expect(keys.hostPublic).toMatch(/^ssh-ed25519 /);
      expect(await ensureGuestKeys(admin, first)).toEqual(keys);
      expect(await ensureGuestKeys(admin, second)).toEqual(keys);
      const secret = await admin.request<{
        metadata: { ownerReferences: { uid: string; controller: boolean }[] };
      }>({
        method: 'GET',
        path: resourcePath(SECRETS, { namespace: 'guest-keys', name: 'ns1-ssh' }),
      });
      expect(secret.metadata.ownerReferences).toEqual([
        expect.objectContaining({ uid: second.metadata.uid, controller: true, kind: 'GuestDomain' }),
      ]);
    } finally {
      admin.close();
    }
  });
});
