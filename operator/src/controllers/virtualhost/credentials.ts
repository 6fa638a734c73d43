import type { VirtualHost } from '../../api/types.generated.js';
import type { KubeClient } from '../../kube/client.js';
import { isNotFound } from '../../kube/client.js';
import { resourcePath, SECRETS } from '../../kube/resourcePath.js';
import type { CredentialSource } from '../../providers/libvirt/virsh.js';

/** The VirtualHost's SSH Secret is missing or incomplete: the user must fix it. */
export class CredentialsError extends Error {}

/**
 * Reads the VirtualHost's SSH Secret (`ssh-privatekey`, `known_hosts`) or TLS Secret
 * (`ca.crt`, `tls.crt`, `tls.key`) when virsh needs it.
 */
export function credentialsFor(client: KubeClient, host: VirtualHost): CredentialSource | undefined {
  const ssh = host.spec.libvirt?.sshKeySecretRef?.name;
  const tls = host.spec.libvirt?.tlsSecretRef?.name;
  const name = ssh ?? tls;
  if (!name) return undefined;
  return async () => {
    let secret: { data?: Record<string, string> };
    try {
      secret = await client.request({
        method: 'GET',
        path: resourcePath(SECRETS, { namespace: host.metadata.namespace, name }),
      });
    } catch (error) {
      if (isNotFound(error))
        throw new CredentialsError(`Secret ${name} (spec.libvirt.sshKeySecretRef) does not exist`);
      throw error;
    }
    const field = (key: string) => {
      const value = secret.data?.[key];
      if (!value) throw new CredentialsError(`Secret ${name} has no ${key}`);
      return Buffer.from(value, 'base64').toString('utf8');
    };
    if (ssh) return { privateKey: field('ssh-privatekey'), knownHosts: field('known_hosts') };
    return { caCert: field('ca.crt'), clientCert: field('tls.crt'), clientKey: field('tls.key') };
  };
}
