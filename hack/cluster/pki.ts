import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const openssl = (args: string[], cwd: string) => promisify(execFile)('openssl', args, { cwd });

export interface Pki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** Generates a throw-away CA, the API server's serving certificate, an admin client certificate and the service-account signing key pair. */
export async function generatePki(dir: string): Promise<Pki> {
  const file = (name: string) => path.join(dir, name);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=servirt-local-ca',
      '-days',
      '365',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  await issue(dir, 'apiserver', '/CN=kube-apiserver', [
    // 10.96.0.1: the `kubernetes` Service, which pods on a local node (hack/cluster/node.ts) use.
    'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
    'extendedKeyUsage=serverAuth',
  ]);
  await issue(dir, 'admin', '/O=system:masters/CN=servirt-admin', ['extendedKeyUsage=clientAuth']);
  await openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  await openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    caCert: file('ca.crt'),
    servingCert: file('apiserver.crt'),
    servingKey: file('apiserver.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
  };
}

async function issue(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`], dir);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await writeFile(path.join(dir, `${name}.ext`), extensions.join('\n') + '\n');
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}
