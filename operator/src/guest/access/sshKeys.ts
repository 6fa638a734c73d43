import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { generateEd25519 } from '../sshKeyPair.js';
import { resourcePath, SECRETS } from '../../kube/resourcePath.js';
import { controllerReference, createOwnedSecret, type SecretOwner } from '../../kube/secrets.js';

export interface GuestKeys {
  /** The guest's host key: injected by cloud-init, pinned by the operator. */
  hostPrivate: string;
  hostPublic: string;
  /** The operator's client key for this guest (root's authorized key). */
  clientPrivate: string;
  clientPublic: string;
}

interface Owner {
  metadata: { name?: string; namespace?: string; uid?: string };
}

interface KeySecret {
  metadata?: { ownerReferences?: { uid?: string; controller?: boolean }[] };
  data?: Record<string, string>;
}

export const KEY_FIELDS = {
  hostPrivate: 'host_ed25519',
  hostPublic: 'host_ed25519.pub',
  clientPrivate: 'client_ed25519',
  clientPublic: 'client_ed25519.pub',
} as const;

export const keySecretName = (guestName: string) => `${guestName}-ssh`;

/** The keys of a GuestDomain from its Secret, generated and stored (owned by the guest) the first time. Never regenerated. */
/** A new host key for the guest and client key for the operator. */
export function newGuestKeys(guestName: string): GuestKeys {
  const host = generateEd25519(`${guestName} host`);
  const operator = generateEd25519('servirt-operator');
  return {
    hostPrivate: host.private,
    hostPublic: host.public,
    clientPrivate: operator.private,
    clientPublic: operator.public,
  };
}

export async function ensureGuestKeys(client: KubeClient, owner: Owner): Promise<GuestKeys> {
  const namespace = owner.metadata.namespace;
  const name = keySecretName(owner.metadata.name ?? '');
  const path = resourcePath(SECRETS, { namespace, name });
  const existing = await client.request<KeySecret>({ method: 'GET', path }).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (existing) {
    const keys = keysFromSecret(existing, name);
    // Left by an earlier guest of the same name (garbage collection had not run): adopt it, or
    // the collector would delete the keys the new guest was seeded with.
    const controller = existing.metadata?.ownerReferences?.find((reference) => reference.controller);
    if (controller?.uid !== owner.metadata.uid) {
      await client.request({
        method: 'PATCH',
        path,
        body: { metadata: { ownerReferences: [controllerReference(ownerReference(owner))] } },
        contentType: 'application/merge-patch+json',
      });
    }
    return keys;
  }
  const keys = newGuestKeys(owner.metadata.name ?? '');
  try {
    await createOwnedSecret(
      client,
      namespace ?? '',
      name,
      ownerReference(owner),
      Object.fromEntries(
        Object.entries(KEY_FIELDS).map(([key, field]) => [field, keys[key as keyof GuestKeys]]),
      ),
      { 'servirt.dev/guestdomain': owner.metadata.name ?? '' },
    );
    return keys;
  } catch (error) {
    // Another reconcile stored keys first: use those, never two sets.
    if (isConflict(error))
      return keysFromSecret(await client.request<KeySecret>({ method: 'GET', path }), name);
    throw error;
  }
}

/** The keys of an existing guest, for the controllers that log in to it (never generated here). */
export async function readGuestKeys(
  client: KubeClient,
  namespace: string,
  guestName: string,
): Promise<GuestKeys> {
  const name = keySecretName(guestName);
  const secret = await client.request<KeySecret>({
    method: 'GET',
    path: resourcePath(SECRETS, { namespace, name }),
  });
  return keysFromSecret(secret, name);
}

export function keysFromSecret(secret: KeySecret, name: string): GuestKeys {
  const read = (field: string) => {
    const value = secret.data?.[field];
    if (!value) throw new Error(`Secret ${name} has no ${field}; delete it to have new keys generated`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  return {
    hostPrivate: read(KEY_FIELDS.hostPrivate),
    hostPublic: read(KEY_FIELDS.hostPublic),
    clientPrivate: read(KEY_FIELDS.clientPrivate),
    clientPublic: read(KEY_FIELDS.clientPublic),
  };
}

function ownerReference(owner: Owner): SecretOwner {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'GuestDomain',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
  };
}
