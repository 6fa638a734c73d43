import { randomBytes } from 'node:crypto';
import type { DnsZone, GuestDomain } from '../../api/types.generated.js';
import { ApiError, isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { resourcePath, SECRETS } from '../../kube/resourcePath.js';
import { createOwnedSecret, type SecretOwner } from '../../kube/secrets.js';
import type { TsigKeyConfig } from '../../guest/bind/model.js';

type Algorithm = TsigKeyConfig['algorithm'];

interface KeySecret {
  metadata?: { name?: string };
  data?: Record<string, string>;
}

/** The field of a TSIG Secret that holds the base64 key material (as `tsig-keygen` prints it). */
export const SECRET_FIELD = 'secret';

const KEY_BYTES: Record<Algorithm, number> = {
  'hmac-sha224': 28,
  'hmac-sha256': 32,
  'hmac-sha384': 48,
  'hmac-sha512': 64,
};

/** A key the user's Secret does not provide (missing Secret or field, bad base64): a condition, not a crash. */
export class KeyProblem extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const zoneKeySecretName = (zone: DnsZone) =>
  zone.spec.tsig?.secretRef?.name ?? `${zone.metadata.name ?? ''}-tsig`;

export const zoneKeyName = (zone: DnsZone) =>
  (zone.spec.tsig?.keyName ?? `${zone.spec.origin}-transfer`).replace(/\.$/, '');

export const transferKeySecretName = (primary: string) => `${primary}-dns-transfer`;
export const transferKeyName = (primary: string) => `servirt-transfer.${primary}`;

/** The zone's TSIG key: from spec.tsig.secretRef, or generated into `<zone>-tsig` (owned by the zone) once. */
export async function ensureZoneKey(client: KubeClient, zone: DnsZone): Promise<TsigKeyConfig> {
  const algorithm = zone.spec.tsig?.algorithm ?? 'hmac-sha256';
  const name = zoneKeyName(zone);
  const secretName = zoneKeySecretName(zone);
  const namespace = zone.metadata.namespace ?? '';
  if (zone.spec.tsig?.secretRef) {
    const secret = await readSecret(client, namespace, secretName);
    if (!secret)
      throw new KeyProblem('TsigSecretNotFound', `Secret ${secretName} (spec.tsig.secretRef) does not exist`);
    return { name, algorithm, secret: keyMaterial(secret, secretName) };
  }
  const secret = await ensureGeneratedSecret(client, namespace, secretName, algorithm, {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'DnsZone',
    name: zone.metadata.name ?? '',
    uid: zone.metadata.uid ?? '',
  });
  return { name, algorithm, secret };
}

/** The key a primary's secondaries transfer its zones and catalogs with, owned by the primary's GuestDomain. */
export async function ensureTransferKey(client: KubeClient, primary: GuestDomain): Promise<TsigKeyConfig> {
  const guestName = primary.metadata.name ?? '';
  const secret = await ensureGeneratedSecret(
    client,
    primary.metadata.namespace ?? '',
    transferKeySecretName(guestName),
    'hmac-sha256',
    {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'GuestDomain',
      name: guestName,
      uid: primary.metadata.uid ?? '',
    },
  );
  return { name: transferKeyName(guestName), algorithm: 'hmac-sha256', secret };
}

/** A key read from an existing Secret, or undefined when it is not (yet) there. */
export async function readKey(
  client: KubeClient,
  namespace: string,
  secretName: string,
  name: string,
  algorithm: Algorithm,
): Promise<TsigKeyConfig | undefined> {
  const secret = await readSecret(client, namespace, secretName);
  if (!secret) return undefined;
  try {
    return { name, algorithm, secret: keyMaterial(secret, secretName) };
  } catch {
    return undefined;
  }
}

async function ensureGeneratedSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  algorithm: Algorithm,
  owner: SecretOwner,
): Promise<string> {
  const existing = await readSecret(client, namespace, name);
  if (existing) return keyMaterial(existing, name);
  const material = randomBytes(KEY_BYTES[algorithm]).toString('base64');
  try {
    await createOwnedSecret(client, namespace, name, owner, { [SECRET_FIELD]: material, algorithm });
    return material;
  } catch (error) {
    // Another reconcile stored a key first: use that one, never two.
    if (isConflict(error)) {
      const stored = await readSecret(client, namespace, name);
      if (stored) return keyMaterial(stored, name);
    }
    throw error;
  }
}

async function readSecret(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<KeySecret | undefined> {
  try {
    return await client.request<KeySecret>({
      method: 'GET',
      path: resourcePath(SECRETS, { namespace, name }),
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (error instanceof ApiError && error.status === 403)
      throw new KeyProblem('TsigSecretForbidden', `the operator may not read Secret ${name}`);
    throw error;
  }
}

function keyMaterial(secret: KeySecret, name: string): string {
  const encoded = secret.data?.[SECRET_FIELD];
  if (!encoded) throw new KeyProblem('TsigSecretInvalid', `Secret ${name} has no field "${SECRET_FIELD}"`);
  const material = Buffer.from(encoded, 'base64').toString('utf8').trim();
  // BIND wants base64 key material of at least one byte.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material) || Buffer.from(material, 'base64').length === 0) {
    throw new KeyProblem(
      'TsigSecretInvalid',
      `Secret ${name}: field "${SECRET_FIELD}" is not base64 key material (as tsig-keygen prints it)`,
    );
  }
  return material;
}
