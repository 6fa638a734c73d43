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

/** True when virsh reaches this URI over SSH (and so needs the SSH Secret). */
export function usesSsh(uri: string): boolean {
  const transport = parseLibvirtUri(uri).transport;
  return transport === 'ssh' || transport === 'libssh' || transport === 'libssh2';
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
 * that makes virsh use exactly them; close() removes the directory. Other URIs come back as they
 * are. `+libssh`, `+libssh2` and `+ext` are refused (see the top of this file).
 */
export async function openConnection(uri: string, credentials?: SshCredentials): Promise<LibvirtConnection> {
  const parsed = parseLibvirtUri(uri);
  if (parsed.transport === 'ext') throw new Error(`${uri}: the ext transport is not supported`);
  if (parsed.transport === 'libssh' || parsed.transport === 'libssh2') {
    throw new Error(
      `${uri}: use ${parsed.driver}+ssh:// (the ${parsed.transport} transport is not supported)`,
    );
  }
  if (parsed.transport !== 'ssh') return { uri, close: async () => {} };
  if (!credentials) {
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
