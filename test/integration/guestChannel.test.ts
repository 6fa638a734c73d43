// The guest channel against a real OpenSSH server on loopback (standing in for the
// guest's own sshd: the same server, on this machine instead of inside a VM).
import { execFile } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { startTestSshd, type TestSshd } from './sshd.js';
import { connectGuest, type GuestChannel, type GuestEndpoint } from '../../operator/src/guest/channel.js';

const keyPair = () => generateEd25519('test');

/** The processes serving this sshd's connections: every descendant of the listener started with its config. */
async function connectionProcesses(sshdDir: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-e', '-o', 'pid=,ppid=,args=']);
  const rows = stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, ...args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args.join(' ') }));
  const listener = rows.find((row) => row.args.includes(path.join(sshdDir, 'sshd_config')));
  const found = new Set(listener ? [listener.pid] : []);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of rows)
      if (found.has(row.ppid) && !found.has(row.pid)) {
        found.add(row.pid);
        grew = true;
      }
  }
  return [...found].filter((pid) => pid !== listener?.pid);
}

describe('guest channel over SSH', () => {
  let dir: string;
  let sshd: TestSshd;
  let endpoint: GuestEndpoint;
  let guest: GuestChannel;

  beforeAll(async () => {
    const hostKey = keyPair();
    const clientKey = keyPair();
    sshd = await startTestSshd(hostKey.private, clientKey.public);
    dir = sshd.dir;
    endpoint = {
      host: '127.0.0.1',
      port: sshd.port,
      username: os.userInfo().username,
      privateKey: clientKey.private,
      hostPublicKey: hostKey.public,
    };
    guest = await connectGuest(endpoint, 5000);
  });
  afterAll(async () => {
    guest?.close();
    await sshd?.stop();
  });

  it('runs argv with every argument intact, with stdin and the exit code', async () => {
    const hostile = ["it's", '$(id -u)', '; echo pwned', 'a b'];
    const printed = await guest.run(['printf', '%s\\n', ...hostile]);
    expect(printed).toEqual({ code: 0, stdout: hostile.join('\n') + '\n', stderr: '' });
    expect(await guest.run(['tr', 'a-z', 'A-Z'], { input: 'zone example.com\n' })).toMatchObject({
      stdout: 'ZONE EXAMPLE.COM\n',
    });
    expect((await guest.run(['sh', '-c', 'echo oops >&2; exit 3'])).code).toBe(3);
  });

  it('replaces a file atomically with the mode asked for, leaving no temporary file', async () => {
    const target = path.join(dir, 'named.conf');
    await guest.writeFile(target, 'options { recursion no; };\n', '0640');
    await guest.writeFile(target, 'options { recursion no; directory "/var/cache/bind"; };\n', '0640');
    expect((await guest.readFile(target)).toString()).toBe(
      'options { recursion no; directory "/var/cache/bind"; };\n',
    );
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    expect((await readdir(dir)).filter((name) => name.startsWith('.servirt-'))).toEqual([]);
  });

  it('reads binary files byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await guest.writeFile(path.join(dir, 'blob'), bytes);
    expect((await guest.readFile(path.join(dir, 'blob'))).equals(bytes)).toBe(true);
  });

  it('bounds output and time', async () => {
    await expect(guest.run(['head', '-c', '100000', '/dev/zero'], { maxOutputBytes: 1000 })).rejects.toThrow(
      /more than 1000 bytes/,
    );
    await expect(guest.run(['sleep', '5'], { timeoutMs: 300 })).rejects.toThrow(/timed out/);
    expect((await guest.run(['true'])).code).toBe(0);
  });

  it('gives up on a guest that stops answering before the command channel opens', async () => {
    const before = new Set(await connectionProcesses(dir));
    const frozen = await connectGuest(endpoint, 5000);
    const sessions = (await connectionProcesses(dir)).filter((pid) => !before.has(pid));
    expect(sessions.length).toBeGreaterThan(0);
    sessions.forEach((pid) => process.kill(pid, 'SIGSTOP'));
    try {
      await expect(frozen.run(['true'], { timeoutMs: 1000 })).rejects.toThrow(/timed out/);
    } finally {
      sessions.forEach((pid) => process.kill(pid, 'SIGCONT'));
      frozen.close();
    }
  });

  it('gives up on a guest whose sshd closes the connection after its banner, before the handshake ends', async () => {
    // As when cloud-init restarts the guest's sshd while it writes the host keys: the real sshd's
    // banner reaches the client, then the connection ends. Without the fix this never settles
    // (ssh2 clears its own ready timeout on close) and the test times out.
    const proxy = createServer((client) => {
      const server = connect(sshd.port, '127.0.0.1');
      server.once('data', (banner) => {
        client.end(banner);
        server.destroy();
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as AddressInfo;
      await expect(connectGuest({ ...endpoint, port }, 60_000)).rejects.toThrow(
        /closed before the SSH handshake finished/,
      );
    } finally {
      proxy.close();
    }
  }, 20_000);

  it('refuses a guest whose host key is not the pinned one', async () => {
    const impostor = { ...endpoint, hostPublicKey: keyPair().public };
    await expect(connectGuest(impostor, 5000)).rejects.toThrow(/host key other than the pinned one/);
  });
});
