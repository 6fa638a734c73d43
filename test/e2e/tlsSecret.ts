// A site certificate as a user makes one for a test: self-signed with `openssl req -x509`, put in a
// kubernetes.io/tls Secret with `kubectl create secret tls`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { kubectl, runCommand } from '../integration/cluster.js';

export interface SelfSignedCertificate {
  /** PEM. */
  certificate: string;
  /** As X509Certificate.fingerprint256 and TLSSocket.getPeerCertificate().fingerprint256. */
  fingerprint: string;
}

export async function createSelfSignedTlsSecret(
  namespace: string,
  name: string,
  hostName: string,
): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-e2e-tls-'));
  const file = (base: string) => path.join(dir, base);
  try {
    const made = await runCommand('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-days', '2', '-subj', `/CN=${hostName}`, '-addext', `subjectAltName=DNS:${hostName}`],
      ...['-keyout', file('tls.key'), '-out', file('tls.crt')],
    ]);
    if (made.code !== 0) throw new Error(made.stderr);
    const created = await kubectl([
      ...['create', 'secret', 'tls', name, '-n', namespace],
      ...[`--cert=${file('tls.crt')}`, `--key=${file('tls.key')}`],
    ]);
    if (created.code !== 0) throw new Error(created.stderr);
    const certificate = await readFile(file('tls.crt'), 'utf8');
    return { certificate, fingerprint: new X509Certificate(certificate).fingerprint256 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
