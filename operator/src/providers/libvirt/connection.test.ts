import {
  normalizeKnownHosts,
  normalizePem,
  normalizePrivateKey,
  openConnection,
  parseLibvirtUri,
  pinnedSshUri,
  pinnedTlsUri,
  sshWrapperScript,
  usesSsh,
  usesTls,
  type LibvirtUri,
  type TlsCredentials,
} from './connection.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const DIR = '/tmp/servirt-libvirt-ssh-Ab3dEf';
const PINNED =
  'command=%2Ftmp%2Fservirt-libvirt-ssh-Ab3dEf%2Fssh&keyfile=%2Ftmp%2Fservirt-libvirt-ssh-Ab3dEf%2Fid_key&no_tty=1';
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

describe('parseLibvirtUri', () => {
  it.each<[string, LibvirtUri]>([
    ['qemu:///system', { driver: 'qemu', transport: undefined, authority: '', path: '/system', params: [] }],
    [
      'test:///default',
      { driver: 'test', transport: undefined, authority: '', path: '/default', params: [] },
    ],
    [
      'qemu+ssh://root@hv1:2222/system?socket=%2Frun%2Flibvirt%2Flibvirt-sock&mode=legacy',
      {
        driver: 'qemu',
        transport: 'ssh',
        authority: 'root@hv1:2222',
        path: '/system',
        params: ['socket=%2Frun%2Flibvirt%2Flibvirt-sock', 'mode=legacy'],
      },
    ],
    [
      'xen+SSH://hv1/system?',
      { driver: 'xen', transport: 'ssh', authority: 'hv1', path: '/system', params: [] },
    ],
    [
      'qemu+tls://hv1/system',
      { driver: 'qemu', transport: 'tls', authority: 'hv1', path: '/system', params: [] },
    ],
  ])('%s', (uri, expected) => {
    expect(parseLibvirtUri(uri)).toEqual(expected);
  });

  it.each(['', 'qemu', 'qemu:/system', '/var/run/libvirt', 'qemu:///system#frag', 'qemu+:///system'])(
    'refuses %j',
    (uri) => {
      expect(() => parseLibvirtUri(uri)).toThrow(/not a libvirt URI/);
    },
  );
});

describe('usesSsh', () => {
  it.each([
    ['qemu:///system', false],
    ['test:///default', false],
    ['qemu+tls://hv1/system', false],
    ['qemu+unix:///system', false],
    ['qemu+ssh://hv1/system', true],
    ['xen+ssh://root@hv1/system', true],
    ['qemu+libssh2://hv1/system', true],
  ])('%s -> %s', (uri, expected) => {
    expect(usesSsh(uri)).toBe(expected);
  });
});

describe('pinnedSshUri', () => {
  it.each([
    ['qemu+ssh://root@hv1/system', `qemu+ssh://root@hv1/system?${PINNED}`],
    ['qemu+ssh://hv1.example.org:2222/system', `qemu+ssh://hv1.example.org:2222/system?${PINNED}`],
    ['xen+ssh://root@hv1/system', `xen+ssh://root@hv1/system?${PINNED}`],
    ['qemu+ssh://root@[2001:db8::1]:22/system', `qemu+ssh://root@[2001:db8::1]:22/system?${PINNED}`],
    ['qemu+ssh://root@127.0.0.1:40022/system?', `qemu+ssh://root@127.0.0.1:40022/system?${PINNED}`],
    // Other parameters stay as written, in order, before ours.
    [
      'qemu+ssh://root@hv1/system?socket=%2Frun%2Flibvirt%2Fvirtqemud-sock&proxy=native',
      `qemu+ssh://root@hv1/system?socket=%2Frun%2Flibvirt%2Fvirtqemud-sock&proxy=native&${PINNED}`,
    ],
    [
      'qemu+ssh://root@hv1/session?netcat=nc.openbsd',
      `qemu+ssh://root@hv1/session?netcat=nc.openbsd&${PINNED}`,
    ],
  ])('%s', (uri, expected) => {
    expect(pinnedSshUri(uri, DIR)).toBe(expected);
  });

  it('names the files of the private directory, each value URL-encoded', () => {
    const query = new URL(pinnedSshUri('qemu+ssh://root@hv1/system', DIR)).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      command: `${DIR}/ssh`,
      keyfile: `${DIR}/id_key`,
      no_tty: '1',
    });
  });

  it.each([
    ['qemu+ssh://hv1/system?no_verify=1', /no_verify is not allowed/],
    ['qemu+ssh://hv1/system?keyfile=/root/.ssh/id_rsa', /keyfile is not allowed/],
    [
      'qemu+ssh://hv1/system?known_hosts=/dev/null&known_hosts_verify=ignore',
      /known_hosts, known_hosts_verify/,
    ],
    ['qemu+ssh://hv1/system?Command=/bin/evil', /command is not allowed/],
    ['qemu+ssh://hv1/system?%63ommand=/bin/evil', /command is not allowed/],
    ['qemu+ssh://hv1/system?sshauth=agent', /sshauth is not allowed/],
    ['qemu+ssh://hv1/system?no_tty=0', /no_tty is not allowed/],
    ['qemu+ssh://hv1/system?pkipath=/tmp', /pkipath is not allowed/],
    ['qemu+ssh://hv1/system?authfile=/tmp/auth.conf', /authfile is not allowed/],
    ['qemu+ssh:///system', /needs a host/],
    ['qemu+ssh://root@/system', /needs a host/],
    ['qemu+ssh://-oProxyCommand=x@hv1/system', /needs a host/],
    ['qemu+ssh://-oBatchMode@hv1/system', /needs a host/],
    ['qemu+ssh://root@-hv1/system', /needs a host/],
    ['qemu+ssh://root@hv1:22:33/system', /needs a host/],
    ['qemu+libssh://hv1/system', /only the ssh transport/],
    ['qemu:///system', /only the ssh transport/],
  ])('refuses %s', (uri, error) => {
    expect(() => pinnedSshUri(uri, DIR)).toThrow(error);
  });

  it.each(['/tmp/a b', '/tmp/%d', '~/x', 'relative', "/tmp/it's"])(
    'refuses a directory OpenSSH would expand or split: %j',
    (dir) => {
      expect(() => pinnedSshUri('qemu+ssh://hv1/system', dir)).toThrow(/ssh would expand it/);
    },
  );
});

describe('sshWrapperScript', () => {
  const script = sshWrapperScript('/usr/bin/ssh', DIR);
  const exec = script.split('\n').find((line) => line.startsWith('exec '));

  it('runs OpenSSH without any config file, strict, with only the pinned files', () => {
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(exec).toMatch(/^exec \/usr\/bin\/ssh -F \/dev\/null -o /);
    expect(exec?.endsWith(' "$@"')).toBe(true);
    for (const option of [
      'StrictHostKeyChecking=yes',
      `UserKnownHostsFile=${DIR}/known_hosts`,
      'GlobalKnownHostsFile=/dev/null',
      `IdentityFile=${DIR}/id_key`,
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      'BatchMode=yes',
      'PasswordAuthentication=no',
      'KbdInteractiveAuthentication=no',
      'ConnectTimeout=10',
    ]) {
      expect(exec).toContain(` -o ${option} `);
    }
    expect(exec).not.toMatch(/StrictHostKeyChecking=(no|accept-new|ask)/);
  });

  it('quotes a binary path with shell metacharacters', () => {
    expect(sshWrapperScript("/opt/it's ssh/ssh", DIR)).toContain(`exec '/opt/it'\\''s ssh/ssh' -F /dev/null`);
  });
});

describe('normalizePrivateKey', () => {
  it.each([
    [KEY, `${KEY}\n`],
    [`${KEY}\n`, `${KEY}\n`],
    [`${KEY.replace(/\n/g, '\r\n')}\r\n`, `${KEY}\n`],
    [`\n  ${KEY}\n\n`, `${KEY}\n`],
    [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----\n',
    ],
  ])('%j', (text, expected) => {
    expect(normalizePrivateKey(text)).toBe(expected);
  });

  it.each([
    '',
    'ssh-ed25519 AAAAC3Nz operator',
    '-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----',
  ])('refuses %j', (text) => {
    expect(() => normalizePrivateKey(text)).toThrow(/not a private key/);
  });
});

describe('normalizeKnownHosts', () => {
  it.each([
    ['hv1 ssh-ed25519 AAAAC3Nz', 'hv1 ssh-ed25519 AAAAC3Nz\n'],
    ['# pinned\r\n[hv1]:2222 ssh-ed25519 AAAAC3Nz\r\n\r\n', '# pinned\n[hv1]:2222 ssh-ed25519 AAAAC3Nz\n'],
  ])('%j', (text, expected) => {
    expect(normalizeKnownHosts(text)).toBe(expected);
  });

  it.each(['', '\n\n', '# nothing pinned\n'])('refuses %j', (text) => {
    expect(() => normalizeKnownHosts(text)).toThrow(/holds no host key/);
  });
});

describe('openConnection without SSH', () => {
  it.each(['qemu:///system', 'test:///default', 'xen:///system', 'qemu+unix:///system'])(
    'returns %s unchanged',
    async (uri) => {
      const connection = await openConnection(uri);
      expect(connection.uri).toBe(uri);
      expect(connection.env).toBeUndefined();
      await connection.close();
    },
  );

  it.each([
    'test:///var/run/secrets/kubernetes.io/serviceaccount/token',
    'test:///etc/passwd',
    'qemu:///etc/shadow',
    'qemu+unix:///root/.ssh/id_ed25519',
    'xen:///',
  ])('refuses the local path of %s (virsh would parse that file and quote it)', async (uri) => {
    await expect(openConnection(uri)).rejects.toThrow(
      /a local URI is qemu:\/\/\/system, qemu:\/\/\/session, xen:\/\/\/system or test:\/\/\/default/,
    );
  });

  it('keeps the socket parameter of a local daemon URI', async () => {
    const uri = 'qemu:///system?socket=/run/servirt-lan-x/a/run/libvirt-sock';
    expect((await openConnection(uri)).uri).toBe(uri);
  });

  it('needs the Secret for an ssh URI', async () => {
    await expect(openConnection('qemu+ssh://root@hv1/system')).rejects.toThrow(
      /connects over SSH: it needs the SSH Secret \(ssh-privatekey and known_hosts\)/,
    );
  });

  it.each(['qemu+libssh://hv1/system', 'qemu+libssh2://hv1/system', 'qemu+ext:///system?command=/bin/x'])(
    'refuses %s',
    async (uri) => {
      await expect(
        openConnection(uri, { privateKey: KEY, knownHosts: 'hv1 ssh-ed25519 AAAA' }),
      ).rejects.toThrow(/not supported/);
    },
  );

  it('checks the Secret before it writes anything', async () => {
    await expect(
      openConnection('qemu+ssh://hv1/system', {
        privateKey: 'not a key',
        knownHosts: 'hv1 ssh-ed25519 AAAA',
      }),
    ).rejects.toThrow(/not a private key/);
    await expect(
      openConnection('qemu+ssh://hv1/system', { privateKey: KEY, knownHosts: '' }),
    ).rejects.toThrow(/holds no host key/);
  });
});

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';
const TLS: TlsCredentials = {
  caCert: `${CERT}\n`,
  clientCert: `${CERT}\n${CERT}\n`,
  clientKey: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n',
};
const PKI = '/tmp/servirt-libvirt-tls-Ab3dEf';

describe('usesTls', () => {
  it.each([
    ['qemu+tls://hv1/system', true],
    ['xen+TLS://hv1:16514/system', true],
    ['qemu+ssh://hv1/system', false],
    ['qemu:///system', false],
    ['qemu+tcp://hv1/system', false],
  ])('%s -> %s', (uri, expected) => {
    expect(usesTls(uri)).toBe(expected);
  });
});

describe('pinnedTlsUri', () => {
  it.each([
    ['qemu+tls://hv1/system', 'qemu+tls://hv1/system?pkipath=%2Ftmp%2Fservirt-libvirt-tls-Ab3dEf'],
    [
      'qemu+tls://127.0.0.1:16514/system?',
      'qemu+tls://127.0.0.1:16514/system?pkipath=%2Ftmp%2Fservirt-libvirt-tls-Ab3dEf',
    ],
    [
      'xen+tls://[2001:db8::1]/system',
      'xen+tls://[2001:db8::1]/system?pkipath=%2Ftmp%2Fservirt-libvirt-tls-Ab3dEf',
    ],
    [
      'qemu+tls://hv1.example.org/system?mode=legacy',
      'qemu+tls://hv1.example.org/system?mode=legacy&pkipath=%2Ftmp%2Fservirt-libvirt-tls-Ab3dEf',
    ],
  ])('%s', (uri, expected) => {
    expect(pinnedTlsUri(uri, PKI)).toBe(expected);
  });

  it('encodes the directory', () => {
    expect(pinnedTlsUri('qemu+tls://hv1/system', '/tmp/a b&c=d')).toBe(
      'qemu+tls://hv1/system?pkipath=%2Ftmp%2Fa%20b%26c%3Dd',
    );
  });

  it.each([
    'qemu+tls://hv1/system?no_verify=1',
    'qemu+tls://hv1/system?No_Verify=1',
    'qemu+tls://hv1/system?pkipath=%2Fetc%2Fpki',
    'qemu+tls://hv1/system?%70kipath=%2Fetc%2Fpki',
  ])('refuses %s', (uri) => {
    expect(() => pinnedTlsUri(uri, PKI)).toThrow(/is not allowed: .*server certificate is always verified/);
  });

  it.each(['qemu+tls:///system', 'qemu+tls://-oProxyCommand=x/system'])('needs a host: %s', (uri) => {
    expect(() => pinnedTlsUri(uri, PKI)).toThrow(/needs a host/);
  });

  it('takes tls URIs only', () => {
    expect(() => pinnedTlsUri('qemu+ssh://hv1/system', PKI)).toThrow(/not a qemu\+tls:\/\/ URI/);
  });
});

describe('normalizePem', () => {
  it('keeps a chain, with LF line ends and a final newline', () => {
    expect(normalizePem(`\n${CERT}\n${CERT}`.replace(/\n/g, '\r\n'), 'tls.crt', 'certificate')).toBe(
      `${CERT}\n${CERT}\n`,
    );
  });

  it.each([
    '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----',
  ])('takes the key %j', (key) => {
    expect(normalizePem(key, 'tls.key', 'private key')).toBe(`${key}\n`);
  });

  it.each(['', 'not a certificate', TLS.clientKey, `${CERT}\n${TLS.clientKey}`])(
    'refuses certificate %j',
    (text) => {
      expect(() => normalizePem(text, 'ca.crt', 'certificate')).toThrow(/ca.crt is not PEM certificates/);
    },
  );

  it.each([
    '',
    CERT,
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----',
    `${TLS.clientKey}${TLS.clientKey}`,
  ])('refuses key %j', (text) => {
    expect(() => normalizePem(text, 'tls.key', 'private key')).toThrow(
      /tls.key is not one unencrypted PEM private key/,
    );
  });
});

describe('openConnection over TLS', () => {
  it('writes the CA, certificate and key privately into pkipath, and close() removes them', async () => {
    const connection = await openConnection('qemu+tls://hv1:16514/system', TLS);
    const dir = new URL(connection.uri).searchParams.get('pkipath') as string;
    expect(connection.uri).toBe(`qemu+tls://hv1:16514/system?pkipath=${encodeURIComponent(dir)}`);
    expect(connection.env).toBeUndefined();
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await readdir(dir)).sort()).toEqual(['cacert.pem', 'clientcert.pem', 'clientkey.pem']);
    for (const name of ['cacert.pem', 'clientcert.pem', 'clientkey.pem']) {
      expect((await stat(path.join(dir, name))).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(path.join(dir, 'cacert.pem'), 'utf8')).toBe(TLS.caCert);
    expect(await readFile(path.join(dir, 'clientcert.pem'), 'utf8')).toBe(TLS.clientCert);
    expect(await readFile(path.join(dir, 'clientkey.pem'), 'utf8')).toBe(TLS.clientKey);
    await connection.close();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await connection.close();
  });

  it('needs the TLS Secret', async () => {
    await expect(openConnection('qemu+tls://hv1/system')).rejects.toThrow(
      /connects over TLS: it needs the TLS Secret \(ca.crt, tls.crt and tls.key\)/,
    );
    await expect(
      openConnection('qemu+tls://hv1/system', { privateKey: KEY, knownHosts: 'hv1 ssh-ed25519 AAAA' }),
    ).rejects.toThrow(/needs the TLS Secret/);
  });

  it('takes no TLS Secret for an ssh URI', async () => {
    await expect(openConnection('qemu+ssh://hv1/system', TLS)).rejects.toThrow(/needs the SSH Secret/);
  });

  it('checks the Secret and the URI before it writes anything', async () => {
    const before = await tlsDirs();
    await expect(openConnection('qemu+tls://hv1/system', { ...TLS, caCert: 'x' })).rejects.toThrow(
      /ca.crt is not PEM certificates/,
    );
    await expect(openConnection('qemu+tls://hv1/system', { ...TLS, clientCert: '' })).rejects.toThrow(
      /tls.crt is not PEM certificates/,
    );
    await expect(openConnection('qemu+tls://hv1/system', { ...TLS, clientKey: CERT })).rejects.toThrow(
      /tls.key is not/,
    );
    await expect(openConnection('qemu+tls://hv1/system?no_verify=1', TLS)).rejects.toThrow(/not allowed/);
    expect(await tlsDirs()).toEqual(before);
  });
});

async function tlsDirs(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('servirt-libvirt-tls-')).sort();
}
