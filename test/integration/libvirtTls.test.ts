// libvirt over TLS with the CA and client certificate of a VirtualHost's Secret, end to end:
// virsh on this machine -> `pkipath=` of the URI openConnection returns -> a second libvirtd
// (9.0) that listens for TLS only, on 127.0.0.1 and a free port, with a server certificate for
// IP:127.0.0.1 from a CA made here, and verifies client certificates against it.
//
// The second libvirtd runs in a private mount namespace (`unshare --mount`) with its own empty
// /run/libvirt, /var/lib/libvirt, /etc/libvirt and /var/cache/libvirt bound over the real ones:
// every libvirt 9.0 driver takes a lock on /run/libvirt/<driver>/driver.pid ("Failed to acquire
// pid file '/run/libvirt/network/driver.pid'" otherwise), and sharing /etc/libvirt and the state
// directories with the libvirtd of hack/libvirt/up.sh would make it load, and autostart, that
// daemon's domains and pools. It gets a copy of the QEMU capabilities cache, so that it does not
// probe QEMU again. Needs root (mount namespaces, qemu:///system).
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  isAlive,
  isListening,
  sleep,
  startProcess,
  stopProcessGroup,
} from '../../hack/cluster/processes.js';
import { openConnection, type TlsCredentials } from '../../operator/src/providers/libvirt/connection.js';
import { virsh } from '../../operator/src/providers/libvirt/virsh.js';
import { repoPath } from './cluster.js';
import { testKubeconfig } from './cluster.js';
import { clientFor, eventually, getVirtualHost, startOperator } from './runtime/harness.js';
import { resourcePath, SECRETS } from '../../operator/src/kube/resourcePath.js';
import { VIRTUAL_HOSTS } from '../../operator/src/controllers/virtualhost/reconciler.js';

const run = promisify(execFile);

const VIRSH_TIMEOUT_MS = 30_000;
const REFUSAL_WITHIN_MS = 10_000;

/** The files openConnection wrote, from the pkipath parameter of the URI it returned. */
function pkiDir(uri: string): string {
  const pkipath = new URL(uri).searchParams.get('pkipath');
  if (!pkipath) throw new Error(`no pkipath in ${uri}`);
  return pkipath;
}

/** A CA, and certificates it issues, made with openssl in dir. */
async function makeCa(dir: string, name: string): Promise<(cn: string, ext: string[]) => Promise<void>> {
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 30_000 });
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return async (cn, ext) => {
    await writeFile(
      path.join(dir, `${cn}.ext`),
      ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...ext]
        .map((line) => `${line}\n`)
        .join(''),
    );
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${cn}.key`,
      '-out',
      `${cn}.csr`,
      '-subj',
      `/CN=${cn}`,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      `${cn}.csr`,
      '-CA',
      `${name}.pem`,
      '-CAkey',
      `${name}.key`,
      '-set_serial',
      String(Date.now()),
      '-days',
      '2',
      '-out',
      `${cn}.pem`,
      '-extfile',
      `${cn}.ext`,
    ]);
  };
}

describe('libvirt over TLS with the Secret CA and client certificate', () => {
  let dir: string;
  let libvirtdPid: number | undefined;
  let port: number;
  let uri: string;
  let credentials: TlsCredentials;
  let impostor: TlsCredentials;
  const read = (name: string) => readFile(path.join(dir, name), 'utf8');

  beforeAll(async () => {
    // Idempotent; it probes QEMU once, and the capabilities cache it leaves is copied below.
    await run('bash', [repoPath('hack/libvirt/up.sh')], { timeout: 170_000 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-libvirtd-tls-'));
    const issue = await makeCa(dir, 'ca');
    await issue('server', ['extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1']);
    await issue('client', ['extendedKeyUsage=clientAuth']);
    // Another CA, with a client certificate of its own (so that the client's own check passes).
    const issueOther = await makeCa(dir, 'other-ca');
    await issueOther('other-client', ['extendedKeyUsage=clientAuth']);
    credentials = {
      caCert: await read('ca.pem'),
      clientCert: await read('client.pem'),
      clientKey: await read('client.key'),
    };
    impostor = {
      caCert: await read('other-ca.pem'),
      clientCert: await read('other-client.pem'),
      clientKey: await read('other-client.key'),
    };

    for (const sub of ['run', 'lib', 'etc', 'cache', 'sock']) await mkdir(path.join(dir, sub));
    await cp('/var/cache/libvirt/qemu', path.join(dir, 'cache/qemu'), { recursive: true }).catch(() => {});
    port = await freePort();
    await writeFile(
      path.join(dir, 'libvirtd.conf'),
      [
        'listen_tls = 1',
        'listen_tcp = 0',
        `tls_port = "${port}"`,
        'listen_addr = "127.0.0.1"',
        `key_file = "${dir}/server.key"`,
        `cert_file = "${dir}/server.pem"`,
        `ca_file = "${dir}/ca.pem"`,
        'tls_no_verify_certificate = 0',
        'auth_tls = "none"',
        `unix_sock_dir = "${dir}/sock"`,
        `log_outputs = "3:file:${dir}/libvirtd.log"`,
      ].join('\n') + '\n',
    );
    const script = [
      'set -e',
      'for pair in run:/run/libvirt lib:/var/lib/libvirt etc:/etc/libvirt cache:/var/cache/libvirt; do',
      '  mkdir -p "${pair#*:}"',
      '  mount --bind "$1/${pair%%:*}" "${pair#*:}"',
      'done',
      'exec libvirtd --listen --config "$1/libvirtd.conf" --pid-file "$1/libvirtd.pid"',
    ].join('\n');
    libvirtdPid = startProcess(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', dir],
      `${dir}/libvirtd.out`,
      process.pid,
    ).pid;
    for (let attempt = 0; !(await isListening(port)); attempt++) {
      if (attempt > 300 || !isAlive(libvirtdPid)) {
        throw new Error(`libvirtd does not listen on 127.0.0.1:${port}; see ${dir}/libvirtd.out and .log`);
      }
      await sleep(100);
    }
    uri = `qemu+tls://127.0.0.1:${port}/system`;
  }, 180_000);

  afterAll(async () => {
    if (libvirtdPid) await stopProcessGroup(libvirtdPid);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Runs `virsh version` through openConnection; the elapsed time too, when it fails. */
  async function version(target: string, secret?: TlsCredentials) {
    const connection = await openConnection(target, secret);
    const started = Date.now();
    try {
      const output = await virsh(connection.uri, ['version'], { timeoutMs: VIRSH_TIMEOUT_MS });
      return { output, ms: Date.now() - started };
    } catch (error) {
      return { error: error as Error, ms: Date.now() - started };
    } finally {
      await connection.close();
    }
  }

  it('reaches libvirtd with the Secret CA and client certificate', async () => {
    const result = await version(uri, credentials);
    expect(result.error).toBeUndefined();
    expect(result.output).toMatch(/Running hypervisor: QEMU \d/);
  });

  it('refuses a server certificate that another CA did not issue, at once', async () => {
    const result = await version(uri, impostor);
    expect(result.output).toBeUndefined();
    expect(result.error?.message).toMatch(/Failed to verify peer's certificate/);
    expect(result.ms).toBeLessThan(REFUSAL_WITHIN_MS);
  });

  it('refuses a server certificate for another host name', async () => {
    // The certificate names IP:127.0.0.1 only.
    const result = await version(`qemu+tls://localhost:${port}/system`, credentials);
    expect(result.output).toBeUndefined();
    expect(result.error?.message).toMatch(/Failed to verify peer's certificate/);
    expect(result.ms).toBeLessThan(REFUSAL_WITHIN_MS);
  });

  it('writes the CA, certificate and key privately and removes them on close()', async () => {
    const connection = await openConnection(uri, credentials);
    expect(connection.uri).toMatch(
      new RegExp(`^qemu\\+tls://127\\.0\\.0\\.1:${port}/system\\?pkipath=%2F[^&]+$`),
    );
    const files = pkiDir(connection.uri);
    expect(files.startsWith(os.tmpdir())).toBe(true);
    expect((await stat(files)).mode & 0o777).toBe(0o700);
    for (const name of ['cacert.pem', 'clientcert.pem', 'clientkey.pem']) {
      expect((await stat(path.join(files, name))).mode & 0o777).toBe(0o600);
    }
    await connection.close();
    await expect(stat(files)).rejects.toMatchObject({ code: 'ENOENT' });
    await connection.close();
  });

  it('leaves the libvirtd of hack/libvirt/up.sh alone', async () => {
    expect(await virsh('qemu:///system', ['version'], { timeoutMs: VIRSH_TIMEOUT_MS })).toMatch(
      /Running hypervisor: QEMU \d/,
    );
  });

  it('makes a qemu+tls VirtualHost Ready through the operator from its tlsSecretRef', async () => {
    const admin = await clientFor(testKubeconfig());
    const operator = await startOperator(testKubeconfig());
    const namespace = 'libvirt-tls';
    try {
      await admin.request({
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { metadata: { name: namespace } },
      });
      await admin.request({
        method: 'POST',
        path: resourcePath(SECRETS, { namespace }),
        body: {
          metadata: { name: 'hv-tls' },
          stringData: {
            'ca.crt': credentials.caCert,
            'tls.crt': credentials.clientCert,
            'tls.key': credentials.clientKey,
          },
        },
      });
      await admin.request({
        method: 'POST',
        path: resourcePath(VIRTUAL_HOSTS, { namespace }),
        body: {
          apiVersion: 'servirt.dev/v1alpha1',
          kind: 'VirtualHost',
          metadata: { name: 'tls' },
          spec: {
            provider: 'libvirt',
            libvirt: { uri, hypervisor: 'qemu', tlsSecretRef: { name: 'hv-tls' } },
          },
        },
      });
      await eventually(
        async () => (await getVirtualHost(admin, namespace, 'tls')).status?.reachable === true,
        30_000,
        'tls host',
      );
      expect((await getVirtualHost(admin, namespace, 'tls')).status?.hypervisorType).toBe('QEMU');
    } finally {
      await operator.stop();
      admin.close();
    }
  });
});
