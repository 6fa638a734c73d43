// A real OpenSSH server on 127.0.0.1 for tests (standing in for a guest's or a hypervisor's sshd:
// the same server, on this machine), tied to the test process.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  isListening,
  sleep,
  startProcess,
  stopProcessGroup,
} from '../../hack/cluster/processes.js';

export interface TestSshd {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

/** Starts sshd with hostPrivateKey as its only host key, allowing root to log in with authorizedKey. */
export async function startTestSshd(hostPrivateKey: string, authorizedKey: string): Promise<TestSshd> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-sshd-'));
  await writeFile(path.join(dir, 'host_key'), hostPrivateKey, { mode: 0o600 });
  await writeFile(path.join(dir, 'authorized_keys'), `${authorizedKey}\n`, { mode: 0o600 });
  const port = await freePort();
  await writeFile(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
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
  const pid = startProcess(
    '/usr/sbin/sshd',
    ['-D', '-e', '-f', `${dir}/sshd_config`],
    `${dir}/sshd.log`,
    process.pid,
  ).pid;
  for (let attempt = 0; !(await isListening(port)); attempt++) {
    if (attempt > 100) throw new Error(`sshd does not listen on 127.0.0.1:${port}; see ${dir}/sshd.log`);
    await sleep(100);
  }
  return {
    port,
    dir,
    stop: async () => {
      await stopProcessGroup(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
