import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { Pki } from './pki.js';

const base64 = (file: string) => readFileSync(file).toString('base64');

/**
 * A kubeconfig for the local control plane's admin (group system:masters). tlsServerName: the name
 * to check the serving certificate for when server is an address it does not name.
 */
export function kubeconfigYaml(server: string, pki: Pki, tlsServerName?: string): string {
  const cluster = {
    server,
    'certificate-authority-data': base64(pki.caCert),
    ...(tlsServerName && { 'tls-server-name': tlsServerName }),
  };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'servirt-local', cluster }],
    users: [
      {
        name: 'servirt-admin',
        user: { 'client-certificate-data': base64(pki.adminCert), 'client-key-data': base64(pki.adminKey) },
      },
    ],
    contexts: [{ name: 'servirt-local', context: { cluster: 'servirt-local', user: 'servirt-admin' } }],
    'current-context': 'servirt-local',
  });
}
