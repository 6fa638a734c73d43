import type { KubeClient } from './client.js';
import { resourcePath, SECRETS } from './resourcePath.js';

/** The object a generated Secret belongs to: deleting it deletes the Secret (garbage collection). */
export interface SecretOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** Creates an Opaque Secret of generated keys, owned by owner; a 409 Conflict means another reconcile was first. */
export async function createOwnedSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  owner: SecretOwner,
  stringData: Record<string, string>,
  labels: Record<string, string> = {},
): Promise<void> {
  await client.request({
    method: 'POST',
    path: resourcePath(SECRETS, { namespace }),
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'servirt', ...labels },
        ownerReferences: [controllerReference(owner)],
      },
      stringData,
    },
  });
}

/** The owner reference that makes owner the Secret's controller. */
export function controllerReference(owner: SecretOwner) {
  return { ...owner, controller: true, blockOwnerDeletion: true };
}
