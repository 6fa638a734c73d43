// How virsh reaches a libvirt host. Local URIs (qemu:///system, test:///default) need nothing.
// `qemu+ssh://` and `xen+ssh://` URIs get the SSH client key and the pinned host keys of the
// VirtualHost's Secret, and nothing else: no trust on first use, no ~/.ssh, no ssh-agent.
//
// How, with libvirt 9.0 (Debian 12), and why this way (each point tested against a real sshd):
// - The plain `ssh` transport runs OpenSSH with `-p -l -i keyfile -T -e none [-o BatchMode=yes]`
//   and has no parameter for a known_hosts file (`known_hosts=` is for libssh/libssh2 only), so
//   it would check ~/.ssh/known_hosts. But its `command=` parameter names the ssh binary to run:
//   we point it at a small wrapper in a private directory that runs OpenSSH with `-F /dev/null`
//   (no ~/.ssh/config, no /etc/ssh/ssh_config), only our known_hosts (UserKnownHostsFile, with
//   GlobalKnownHostsFile=/dev/null), StrictHostKeyChecking=yes, only our key (IdentitiesOnly,
//   IdentityAgent=none) and BatchMode: an unknown or changed host key fails at once, and ssh
//   never prompts. libvirt's own `-o` options come after ours; OpenSSH keeps the first value.
// - `+libssh` (known_hosts=, known_hosts_verify=normal, sshauth=privkey, keyfile=) pins the key
//   too, but libssh then reads ~/.ssh/config and /etc/ssh/ssh_config: a `StrictHostKeyChecking
//   no` there makes a CHANGED host key connect, and UserKnownHostsFile there replaces ours. And
//   with known_hosts_verify=normal an unknown host makes virsh ask on stdin (y/n): it waits for
//   as long as stdin stays open, which it does under execFile.
// - `+libssh2` reads no config, but libssh2 1.10 always negotiates an ECDSA host key when the
//   server has one (a pinned ed25519 key then "differs"), and signs RSA client keys with SHA-1,
//   which OpenSSH >= 8.8 refuses.
//
// `qemu+tls://` and `xen+tls://` URIs get the CA, client certificate and client key of the
// VirtualHost's TLS Secret (`ca.crt`, `tls.crt`, `tls.key`): written as cacert.pem,
// clientcert.pem and clientkey.pem into a private directory named by `pkipath=`, so libvirt reads
// no /etc/pki and no ~/.pki. libvirt (gnutls) then checks the server certificate against that CA
// and the URI's host (a SAN IP for an address) and refuses it otherwise; `no_verify` is refused.
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shellCommand } from '../../guest/shellQuote.js';

/** The contents of a VirtualHost's SSH Secret (keys `ssh-privatekey` and `known_hosts`). */
export interface SshCredentials {
  /** The operator's client key, OpenSSH or PEM format, without a passphrase. */
  privateKey: string;
  /** The host's pinned public keys, OpenSSH known_hosts format (`[host]:port` when not port 22). */
  knownHosts: string;
}

/** The contents of a VirtualHost's TLS Secret (keys `ca.crt`, `tls.crt` and `tls.key`), PEM. */
export interface TlsCredentials {
  /** The CA (one or more certificates) that must have issued the libvirt host's certificate. */
  caCert: string;
  /** The operator's client certificate (the chain, leaf first, when there is one). */
  clientCert: string;
  /** The client certificate's key, unencrypted. */
  clientKey: string;
}

/** What a remote URI needs: the SSH Secret for `+ssh`, the TLS Secret for `+tls`. */
export type Credentials = SshCredentials | TlsCredentials;

export interface LibvirtConnection {
  /** The URI to pass to `virsh --connect`. */
  uri: string;
  /** Environment for virsh, when it needs one. */
  env?: NodeJS.ProcessEnv;
  /** Removes what openConnection wrote. Safe to call more than once. */
  close(): Promise<void>;
}

/** A libvirt URI split where libvirt splits it; every part as written (not decoded). */
export interface LibvirtUri {
  /** qemu, xen, test, … */
  driver: string;
  /** ssh, tls, tcp, unix, ext, libssh, libssh2; undefined when the URI names none. */
  transport?: string;
  /** `user@host:port`, empty for a local URI. */
  authority: string;
  path: string;
  /** `name=value` pieces of the query, in order. */
  params: string[];
}

/** Files in the connection's private directory. */
export const SSH_FILES = { privateKey: 'id_key', knownHosts: 'known_hosts', command: 'ssh' } as const;

/** Files in a TLS connection's private directory (`pkipath=`), named as libvirt looks for them. */
export const TLS_FILES = {
  caCert: 'cacert.pem',
  clientCert: 'clientcert.pem',
  clientKey: 'clientkey.pem',
} as const;

/**
 * URI parameters that choose keys, host key checking or the program libvirt runs: a URI that
 * carries one is refused, so keys come only from the Secret (libvirt compares names ignoring case).
 */
export const RESERVED_PARAMS = [
  'command',
  'keyfile',
  'known_hosts',
  'known_hosts_verify',
  'no_verify',
  'no_tty',
  'sshauth',
  'pkipath',
  'authfile',
] as const;

const URI = /^([A-Za-z][A-Za-z0-9]*)(?:\+([A-Za-z0-9]+))?:\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;
// [user@]host[:port] as the VirtualHost CRD allows, host a name or a bracketed IPv6 address; and
// neither starting with '-' (ssh gets them as arguments).
const SSH_AUTHORITY =
  /^(?:[A-Za-z0-9._][A-Za-z0-9._-]*@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;
// OpenSSH expands `~` and `%x` in IdentityFile and UserKnownHostsFile, and splits the latter on
// spaces: the private directory's path must hold none of that.
const PLAIN_PATH = /^\/[A-Za-z0-9/._-]+$/;

export function parseLibvirtUri(uri: string): LibvirtUri {
  const match = URI.exec(uri);
  if (!match) throw new Error(`not a libvirt URI: ${JSON.stringify(uri)}`);
  const [, driver, transport, authority, uriPath, query] = match;
  return {
    driver: driver as string,
    transport: transport?.toLowerCase(),
    authority: authority as string,
    path: uriPath as string,
    params: query ? query.split('&').filter((piece) => piece !== '') : [],
  };
}

/** A local daemon's URI path (/system, /session), or the test driver's built-in /default. */
function isLocalDaemonPath(parsed: LibvirtUri): boolean {
  if (parsed.driver === 'test') return parsed.path === '/default';
  return parsed.path === '/system' || parsed.path === '/session';
}

/** True when virsh reaches this URI over SSH (and so needs the SSH Secret). */
export function usesSsh(uri: string): boolean {
  const transport = parseLibvirtUri(uri).transport;
  return transport === 'ssh' || transport === 'libssh' || transport === 'libssh2';
}

/** True when virsh reaches this URI over TLS (and so needs the TLS Secret). */
export function usesTls(uri: string): boolean {
  return parseLibvirtUri(uri).transport === 'tls';
}

function isTlsCredentials(credentials: Credentials): credentials is TlsCredentials {
  return 'caCert' in credentials;
}

function paramName(piece: string): string {
  const name = piece.split('=', 1)[0] as string;
  try {
    return decodeURIComponent(name).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/**
 * The URI that makes libvirt's `ssh` transport use the wrapper, key and known_hosts in dir
 * (pure: dir is not touched). Other parameters (socket, netcat, proxy, mode, name, …) stay as
 * written; the ones libvirt forwards go to the remote daemon as before.
 */
export function pinnedSshUri(uri: string, dir: string): string {
  const parsed = parseLibvirtUri(uri);
  if (parsed.transport !== 'ssh') {
    throw new Error(`${uri}: only the ssh transport (${parsed.driver}+ssh://) is supported over SSH`);
  }
  if (!SSH_AUTHORITY.test(parsed.authority)) {
    throw new Error(`${uri}: needs a host: ${parsed.driver}+ssh://[user@]host[:port]/path`);
  }
  const reserved = parsed.params.map(paramName).filter((name) => RESERVED_PARAMS.some((r) => r === name));
  if (reserved.length > 0) {
    throw new Error(
      `${uri}: parameter ${[...new Set(reserved)].join(', ')} is not allowed: ` +
        'the key and the pinned host keys come from the Secret',
    );
  }
  assertPlainPath(dir);
  const params = [
    ...parsed.params,
    `command=${encodeURIComponent(path.join(dir, SSH_FILES.command))}`,
    `keyfile=${encodeURIComponent(path.join(dir, SSH_FILES.privateKey))}`,
    'no_tty=1',
  ];
  return `${parsed.driver}+ssh://${parsed.authority}${parsed.path}?${params.join('&')}`;
}

/**
 * The URI that makes libvirt's `tls` transport use the CA, certificate and key in dir, and
 * nothing else (pure: dir is not touched). Other parameters stay as written, before ours.
 */
export function pinnedTlsUri(uri: string, dir: string): string {
  const parsed = parseLibvirtUri(uri);
  if (parsed.transport !== 'tls') throw new Error(`${uri}: not a ${parsed.driver}+tls:// URI`);
  if (!SSH_AUTHORITY.test(parsed.authority)) {
    throw new Error(`${uri}: needs a host: ${parsed.driver}+tls://host[:port]/path`);
  }
  const reserved = parsed.params.map(paramName).filter((name) => RESERVED_PARAMS.some((r) => r === name));
  if (reserved.length > 0) {
    throw new Error(
      `${uri}: parameter ${[...new Set(reserved)].join(', ')} is not allowed: ` +
        'the CA and the client certificate come from the Secret, and the server certificate is always verified',
    );
  }
  if (!path.isAbsolute(dir)) throw new Error(`pkipath must be absolute: ${JSON.stringify(dir)}`);
  const params = [...parsed.params, `pkipath=${encodeURIComponent(dir)}`];
  return `${parsed.driver}+tls://${parsed.authority}${parsed.path}?${params.join('&')}`;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\n[A-Za-z0-9+/=\n]+\n-----END \1-----/g;

/**
 * A Secret's PEM value as gnutls reads it: LF line ends, no trailing blanks, a final newline, and only blocks of the
 * expected kind (text between blocks, as `openssl x509 -text` writes it, is kept).
 */
export function normalizePem(text: string, key: string, kind: 'certificate' | 'private key'): string {
  const pem = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
  const labels = [...pem.matchAll(PEM_BLOCK)].map((match) => match[1] as string);
  const wanted = (label: string) =>
    kind === 'certificate' ? label === 'CERTIFICATE' : /^(?:RSA |EC )?PRIVATE KEY$/.test(label);
  if (labels.length === 0 || !labels.every(wanted) || (kind === 'private key' && labels.length !== 1)) {
    const expected =
      kind === 'certificate' ? 'PEM certificates' : 'one unencrypted PEM private key (PKCS#8, RSA or EC)';
    throw new Error(`${key} is not ${expected}`);
  }
  return `${pem}\n`;
}

/** The `ssh` that libvirt runs (`command=`): OpenSSH with only dir's key and known_hosts. */
export function sshWrapperScript(sshBinary: string, dir: string): string {
  assertPlainPath(dir);
  const argv = [
    sshBinary,
    '-F',
    '/dev/null',
    ...[
      'StrictHostKeyChecking=yes',
      `UserKnownHostsFile=${path.join(dir, SSH_FILES.knownHosts)}`,
      'GlobalKnownHostsFile=/dev/null',
      'UpdateHostKeys=no',
      'VerifyHostKeyDNS=no',
      `IdentityFile=${path.join(dir, SSH_FILES.privateKey)}`,
      'IdentitiesOnly=yes',
      'IdentityAgent=none',
      'CertificateFile=none',
      'BatchMode=yes',
      'PreferredAuthentications=publickey',
      'PasswordAuthentication=no',
      'KbdInteractiveAuthentication=no',
      'ControlMaster=no',
      'ControlPath=none',
      'ForwardAgent=no',
      'ForwardX11=no',
      'ConnectTimeout=10',
      'ServerAliveInterval=10',
      'ServerAliveCountMax=3',
    ].flatMap((option) => ['-o', option]),
  ];
  return [
    '#!/bin/sh',
    "# Written by servirt (operator/src/providers/libvirt/connection.ts): libvirt's ssh transport",
    '# runs this instead of ssh. Removed when the connection is closed.',
    `exec ${shellCommand(argv)} "$@"`,
    '',
  ].join('\n');
}

/** The Secret's key as OpenSSH reads it: LF line ends and a final newline (it refuses others). */
export function normalizePrivateKey(text: string): string {
  const key = text.replace(/\r\n?/g, '\n').trim();
  if (!/^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(key)) {
    throw new Error('ssh-privatekey is not a private key in OpenSSH or PEM format');
  }
  return `${key}\n`;
}

export function normalizeKnownHosts(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (!lines.some((line) => line.trim() !== '' && !line.trim().startsWith('#'))) {
    throw new Error('known_hosts holds no host key: pin the host keys of the libvirt host');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function assertPlainPath(dir: string): void {
  if (!PLAIN_PATH.test(dir)) {
    throw new Error(
      `cannot use ${JSON.stringify(dir)} for SSH keys: ssh would expand it; point TMPDIR at a plain path`,
    );
  }
}

async function findSsh(searchPath = process.env.PATH ?? ''): Promise<string> {
  for (const dir of searchPath.split(':').filter((d) => d.startsWith('/'))) {
    const candidate = path.join(dir, 'ssh');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  throw new Error('ssh not found in PATH (Debian package openssh-client)');
}

/**
 * Prepares a connection to a libvirt URI. For `+ssh` URIs it writes the key (0600), the
 * known_hosts and the ssh wrapper into a private temporary directory (0700) and returns the URI
 * that makes virsh use exactly them; for `+tls` URIs it writes the CA, client certificate and
 * client key (0600 each) there and returns the URI with `pkipath=` naming it. close() removes
 * the directory. Other URIs come back as they are. `+libssh`, `+libssh2` and `+ext` are refused
 * (see the top of this file).
 */
export async function openConnection(uri: string, credentials?: Credentials): Promise<LibvirtConnection> {
  const parsed = parseLibvirtUri(uri);
  if (parsed.transport === 'ext') throw new Error(`${uri}: the ext transport is not supported`);
  if (parsed.transport === 'libssh' || parsed.transport === 'libssh2') {
    throw new Error(
      `${uri}: use ${parsed.driver}+ssh:// (the ${parsed.transport} transport is not supported)`,
    );
  }
  if (parsed.transport === 'tls') return openTls(uri, credentials);
  const local = (parsed.transport === undefined || parsed.transport === 'unix') && parsed.authority === '';
  if (local && !isLocalDaemonPath(parsed)) {
    // test:///<file> has virsh parse any file this process can read, and quote it in its error.
    throw new Error(
      `${uri}: a local URI is qemu:///system, qemu:///session, xen:///system or test:///default`,
    );
  }
  if (parsed.transport !== 'ssh') return { uri, close: async () => {} };
  if (!credentials || isTlsCredentials(credentials)) {
    throw new Error(`${uri} connects over SSH: it needs the SSH Secret (ssh-privatekey and known_hosts)`);
  }
  const privateKey = normalizePrivateKey(credentials.privateKey);
  const knownHosts = normalizeKnownHosts(credentials.knownHosts);
  const ssh = await findSsh();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-libvirt-ssh-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    const pinned = pinnedSshUri(uri, dir);
    await writeFile(path.join(dir, SSH_FILES.privateKey), privateKey, { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(dir, SSH_FILES.knownHosts), knownHosts, { mode: 0o600, flag: 'wx' });
    await writeFile(path.join(dir, SSH_FILES.command), sshWrapperScript(ssh, dir), {
      mode: 0o700,
      flag: 'wx',
    });
    return { uri: pinned, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function openTls(uri: string, credentials: Credentials | undefined): Promise<LibvirtConnection> {
  if (!credentials || !isTlsCredentials(credentials)) {
    throw new Error(`${uri} connects over TLS: it needs the TLS Secret (ca.crt, tls.crt and tls.key)`);
  }
  const files = {
    [TLS_FILES.caCert]: normalizePem(credentials.caCert, 'ca.crt', 'certificate'),
    [TLS_FILES.clientCert]: normalizePem(credentials.clientCert, 'tls.crt', 'certificate'),
    [TLS_FILES.clientKey]: normalizePem(credentials.clientKey, 'tls.key', 'private key'),
  };
  pinnedTlsUri(uri, '/'); // refuses a bad URI before anything is written
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-libvirt-tls-'));
  const close = () => rm(dir, { recursive: true, force: true });
  try {
    for (const [name, content] of Object.entries(files)) {
      await writeFile(path.join(dir, name), content, { mode: 0o600, flag: 'wx' });
    }
    return { uri: pinnedTlsUri(uri, dir), close };
  } catch (error) {
    await close();
    throw error;
  }
}
