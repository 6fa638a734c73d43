import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { WebSite } from '../../api/types.generated.js';
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { resourcePath, SECRETS } from '../../kube/resourcePath.js';
import { SiteProblem } from './content.js';

export interface SiteCertificate {
  /** PEM chain, leaf first. */
  certificate: string;
  privateKey: string;
  /** SHA-256 fingerprint of the leaf, to recognise it when a guest presents it. */
  fingerprint: string;
}

interface TlsSecret {
  type?: string;
  data?: Record<string, string>;
}

/** The site's certificate from its kubernetes.io/tls Secret, checked before any guest sees it. */
export async function loadCertificate(
  client: KubeClient,
  site: WebSite,
  now = new Date(),
): Promise<SiteCertificate | undefined> {
  const ref = site.spec.tls?.secretRef;
  if (!ref) return undefined;
  let secret: TlsSecret;
  try {
    secret = await client.request<TlsSecret>({
      method: 'GET',
      path: resourcePath(SECRETS, { namespace: site.metadata.namespace ?? '', name: ref.name }),
    });
  } catch (error) {
    if (isNotFound(error))
      throw new SiteProblem('TLSSecretNotFound', `Secret ${ref.name} (spec.tls.secretRef) does not exist`);
    throw error;
  }
  const decode = (field: string) => {
    const value = secret.data?.[field];
    if (!value) throw new SiteProblem('TLSSecretInvalid', `Secret ${ref.name} has no ${field}`);
    return Buffer.from(value, 'base64').toString('utf8');
  };
  return checkCertificate(decode('tls.crt'), decode('tls.key'), site.spec.hostNames, ref.name, now);
}

/** The certificate parses, matches its key, covers every host name and is valid now. Pure but for the clock. */
export function checkCertificate(
  certificate: string,
  privateKey: string,
  hostNames: readonly string[],
  secretName: string,
  now: Date,
): SiteCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificate);
  } catch {
    throw new SiteProblem('TLSSecretInvalid', `Secret ${secretName}: tls.crt is not a PEM certificate`);
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(privateKey)))
      throw new SiteProblem(
        'TLSKeyMismatch',
        `Secret ${secretName}: tls.key is not the key of the certificate in tls.crt`,
      );
  } catch (error) {
    if (error instanceof SiteProblem) throw error;
    throw new SiteProblem('TLSSecretInvalid', `Secret ${secretName}: tls.key is not a PEM private key`);
  }
  if (Date.parse(leaf.validTo) < now.getTime() || Date.parse(leaf.validFrom) > now.getTime())
    throw new SiteProblem(
      'TLSCertificateNotValid',
      `Secret ${secretName}: the certificate is valid from ${leaf.validFrom} to ${leaf.validTo}`,
    );
  const uncovered = hostNames.filter(
    (name) => leaf.checkHost(name.startsWith('*.') ? `servirt-check${name.slice(1)}` : name) === undefined,
  );
  if (uncovered.length > 0)
    throw new SiteProblem(
      'TLSCertificateMismatch',
      `Secret ${secretName}: the certificate does not cover ${uncovered.join(', ')}`,
    );
  return { certificate, privateKey, fingerprint: leaf.fingerprint256 };
}
