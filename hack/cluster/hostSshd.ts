// A real OpenSSH server of this machine's, with one host key and one authorized key, allowing
// root to log in with that key only: a libvirt host's sshd (qemu+ssh:// runs virt-ssh-helper
// through it) for a local node's pods, and the tests' stand-in for a guest's or hypervisor's sshd.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, isListening, sleep, startProcess, stopProcessGroup } from './processes.js';

export interface HostSshd {
  port: number;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export interface HostSshdOptions {
  hostPrivateKey: string;
  authorizedKey: string;
  /** 127.0.0.1 unless said: an address of this machine, such as a local node's veth side. */
  listenAddress?: string;
  /** Its files; a new temporary folder unless said. stop() removes it. */
  dir?: string;
  /** With it, sshd stops when that process exits (hack/cluster/run-tied.sh). */
  ownerPid?: number;
  /**
   * The namespaces it runs in (entered with nsenter), such as a LAN host's of hack/lan/hosts.sh:
   * then it listens on port 22 of listenAddress there, which this process need not reach.
   */
  namespaces?: { net: string; mount?: string };
}

export async function startHostSshd(options: HostSshdOptions): Promise<HostSshd> {
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  const dir = options.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'servirt-sshd-')));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, 'host_key'), options.hostPrivateKey, { mode: 0o600 });
  await writeFile(path.join(dir, 'authorized_keys'), `${options.authorizedKey}\n`, { mode: 0o600 });
  const port = options.namespaces ? 22 : await freePort();
  await writeFile(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      `ListenAddress ${listenAddress}`,
      `HostKey ${dir}/host_key`,
      `AuthorizedKeysFile ${dir}/authorized_keys`,
      `PidFile ${dir}/sshd.pid`,
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
    ].join('\n') + '\n',
  );
  await mkdir('/run/sshd', { recursive: true });
  const sshd = ['/usr/sbin/sshd', '-D', '-e', '-f', `${dir}/sshd_config`];
  const { namespaces } = options;
  const enter = namespaces
    ? ['nsenter', `--net=${namespaces.net}`, ...(namespaces.mount ? [`--mount=${namespaces.mount}`] : [])]
    : [];
  const [command, ...args] = [...enter, ...sshd] as [string, ...string[]];
  const { pid } = startProcess(command, args, `${dir}/sshd.log`, options.ownerPid);
  const listening = namespaces
    ? async () =>
        (await readFile(`${dir}/sshd.log`, 'utf8')).includes(`listening on ${listenAddress} port ${port}`)
    : () => isListening(port, listenAddress);
  for (let attempt = 0; !(await listening()); attempt++) {
    if (attempt > 100)
      throw new Error(`sshd does not listen on ${listenAddress}:${port}; see ${dir}/sshd.log`);
    await sleep(100);
  }
  return {
    port,
    dir,
    pid,
    stop: async () => {
      await stopProcessGroup(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
