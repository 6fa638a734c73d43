// libvirt over SSH with the pinned keys of a VirtualHost's Secret, end to end: virsh on this
// machine -> the ssh wrapper openConnection writes -> a real OpenSSH server on 127.0.0.1 (its
// own host key and authorized_keys, like a hypervisor's sshd) -> virt-ssh-helper -> the local
// libvirtd of hack/libvirt/up.sh. Needs root (qemu:///system, root login by key).
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { openConnection, type SshCredentials } from '../../operator/src/providers/libvirt/connection.js';
import { virsh } from '../../operator/src/providers/libvirt/virsh.js';
import { repoPath, testKubeconfig } from './cluster.js';
import { clientFor, eventually, getVirtualHost, startOperator } from './runtime/harness.js';
import { resourcePath, SECRETS } from '../../operator/src/kube/resourcePath.js';
import { VIRTUAL_HOSTS } from '../../operator/src/controllers/virtualhost/reconciler.js';
import { startTestSshd, type TestSshd } from './sshd.js';

const keyPair = () => generateEd25519('test');
const run = promisify(execFile);

// A prompt, were there one, would make virsh wait this long; ssh refuses a host key at once.
const VIRSH_TIMEOUT_MS = 30_000;
const REFUSAL_WITHIN_MS = 10_000;

/** The files openConnection wrote, from the keyfile parameter of the URI it returned. */
function privateDir(uri: string): string {
  const keyfile = new URL(uri).searchParams.get('keyfile');
  if (!keyfile) throw new Error(`no keyfile in ${uri}`);
  return path.dirname(keyfile);
}

describe('libvirt over SSH with pinned keys', () => {
  let sshd: TestSshd | undefined;
  let port: number;
  let uri: string;
  let credentials: SshCredentials;
  const hostKey = keyPair();
  const clientKey = keyPair();

  beforeAll(async () => {
    // Idempotent; the first QEMU probe on a machine takes up to a minute.
    await run('bash', [repoPath('hack/libvirt/up.sh')], { timeout: 170_000 });
    sshd = await startTestSshd(hostKey.private, clientKey.public);
    port = sshd.port;
    uri = `qemu+ssh://root@127.0.0.1:${port}/system`;
    credentials = {
      privateKey: clientKey.private,
      knownHosts: `# the libvirt host's sshd\n[127.0.0.1]:${port} ${hostKey.public}\n`,
    };
  }, 180_000);

  afterAll(async () => {
    await sshd?.stop();
  });

  /** Runs `virsh version` through openConnection; the elapsed time too, when it fails. */
  async function version(
    target: string,
    secret?: SshCredentials,
  ): Promise<{ output?: string; error?: Error; ms: number }> {
    const connection = await openConnection(target, secret);
    const started = Date.now();
    try {
      const output = await virsh(connection.uri, ['version'], {
        env: connection.env,
        timeoutMs: VIRSH_TIMEOUT_MS,
      });
      return { output, ms: Date.now() - started };
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    } finally {
      await connection.close();
    }
  }

  it('reaches libvirtd with the pinned host key and the Secret key', async () => {
    const result = await version(uri, credentials);
    expect(result.error).toBeUndefined();
    expect(result.output).toMatch(/Running hypervisor: QEMU \d/);
  });

  it('refuses a host key other than the pinned one, at once and without prompting', async () => {
    const impostor = { ...credentials, knownHosts: `[127.0.0.1]:${port} ${keyPair().public}\n` };
    const result = await version(uri, impostor);
    expect(result.output).toBeUndefined();
    expect(result.error?.message).toMatch(
      /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
    );
    expect(result.ms).toBeLessThan(REFUSAL_WITHIN_MS);
  });

  it('refuses a host that known_hosts does not name (no trust on first use)', async () => {
    // The right key, pinned for another port: OpenSSH looks up [127.0.0.1]:PORT and finds nothing.
    const elsewhere = { ...credentials, knownHosts: `[127.0.0.1]:1 ${hostKey.public}\n` };
    const result = await version(uri, elsewhere);
    expect(result.error?.message).toMatch(/No ED25519 host key is known for \[127\.0\.0\.1\]:\d+/);
    expect(result.ms).toBeLessThan(REFUSAL_WITHIN_MS);
  });

  it('authenticates with the Secret key only', async () => {
    const stranger = { ...credentials, privateKey: keyPair().private };
    const result = await version(uri, stranger);
    expect(result.error?.message).toMatch(/Permission denied \(publickey\)/);
    expect(result.ms).toBeLessThan(REFUSAL_WITHIN_MS);
  });

  it('takes xen+ssh:// the same way: the remote libvirt gets xen:///system', async () => {
    // This machine's libvirtd has no Xen driver: the answer proves the request arrived there.
    const result = await version(`xen+ssh://root@127.0.0.1:${port}/system`, credentials);
    expect(result.error?.message).toMatch(/no connection driver available for xen:\/\/\/system/);
  });

  it('writes the key and known_hosts privately and removes them on close()', async () => {
    const connection = await openConnection(uri, credentials);
    const files = privateDir(connection.uri);
    expect(files.startsWith(os.tmpdir())).toBe(true);
    expect((await stat(files)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(files, 'id_key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(files, 'known_hosts'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(files, 'ssh'))).mode & 0o777).toBe(0o700);
    await connection.close();
    await expect(stat(files)).rejects.toMatchObject({ code: 'ENOENT' });
    await connection.close();
  });

  it('passes test:///default through unchanged', async () => {
    const connection = await openConnection('test:///default');
    expect(connection.uri).toBe('test:///default');
    expect(connection.env).toBeUndefined();
    const result = await version('test:///default');
    expect(result.output).toMatch(/Running hypervisor: TEST/);
    await connection.close();
  });

  it('makes a qemu+ssh VirtualHost Ready through the operator, and Unreachable with a wrong pinned key', async () => {
    const admin = await clientFor(testKubeconfig());
    const operator = await startOperator(testKubeconfig());
    const namespace = 'libvirt-ssh';
    const secret = (name: string, knownHosts: string) => ({
      metadata: { name },
      stringData: { 'ssh-privatekey': credentials.privateKey, known_hosts: knownHosts },
    });
    const host = (name: string, secretName: string) => ({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'VirtualHost',
      metadata: { name },
      spec: {
        provider: 'libvirt',
        libvirt: { uri, hypervisor: 'qemu', sshKeySecretRef: { name: secretName } },
      },
    });
    try {
      await admin.request({
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { metadata: { name: namespace } },
      });
      const secrets = resourcePath(SECRETS, { namespace });
      await admin.request({ method: 'POST', path: secrets, body: secret('pinned', credentials.knownHosts) });
      await admin.request({
        method: 'POST',
        path: secrets,
        body: secret('impostor', `[127.0.0.1]:${port} ${keyPair().public}\n`),
      });
      const hosts = resourcePath(VIRTUAL_HOSTS, { namespace });
      await admin.request({ method: 'POST', path: hosts, body: host('good', 'pinned') });
      await admin.request({ method: 'POST', path: hosts, body: host('bad', 'impostor') });
      await eventually(
        async () => (await getVirtualHost(admin, namespace, 'good')).status?.reachable === true,
        30_000,
        'good host',
      );
      expect((await getVirtualHost(admin, namespace, 'good')).status?.hypervisorType).toBe('QEMU');
      await eventually(
        async () => (await getVirtualHost(admin, namespace, 'bad')).status?.reachable === false,
        30_000,
        'bad host',
      );
      const ready = (await getVirtualHost(admin, namespace, 'bad')).status?.conditions?.find(
        (c) => c.type === 'Ready',
      );
      expect(ready).toMatchObject({ status: 'False', reason: 'Unreachable' });
      expect(ready?.message).toMatch(/host key|IDENTIFICATION HAS CHANGED/i);
    } finally {
      await operator.stop();
      admin.close();
    }
  });
});
