// The LAN of hack/lan/hosts.sh, on which the bridged-guest scenario runs: two real libvirtds in
// one network namespace that nothing outside sees, each with its own configuration and state.
// Host A is reached on its socket, host B over qemu+ssh:// at its LAN address through a real
// sshd in B's namespaces, with the pinned keys the operator uses. Nothing boots here: a domain is
// only defined. Needs root.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startHostSshd, type HostSshd } from '../../hack/cluster/hostSshd.js';
import {
  carryLoopbackPort,
  runOnLan,
  startLan,
  startLanDhcp,
  stopLan,
  type Lan,
} from '../../hack/lan/lan.js';
import { generateEd25519 } from '../../operator/src/guest/sshKeyPair.js';
import { openConnection } from '../../operator/src/providers/libvirt/connection.js';

const run = promisify(execFile);
const LAN = 'itest';
const DOMAIN = 'servirt-lan-itest-probe';

describe('a LAN of two libvirt hosts in a network namespace of its own', () => {
  let lan: Lan;
  let sshd: HostSshd | undefined;
  const hostKey = generateEd25519('lan-b');
  const clientKey = generateEd25519('operator');
  /** virsh as the operator would run it on the LAN: in its network namespace, this machine's files. */
  const virshOnLan = async (uri: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    (
      await run('nsenter', [`--net=${lan.netns}`, 'virsh', '--quiet', '--connect', uri, ...args], {
        env: { ...process.env, ...env },
        timeout: 60_000,
      })
    ).stdout;
  const onA = (args: string[]) => virshOnLan(`qemu:///system?socket=${lan.hosts.a.socket}`, args);
  const onB = async (args: string[]) => {
    const connection = await openConnection(`qemu+ssh://root@${lan.hosts.b.address}/system`, {
      privateKey: clientKey.private,
      knownHosts: `${lan.hosts.b.address} ${hostKey.public}\n`,
    });
    try {
      return await virshOnLan(connection.uri, args, connection.env);
    } finally {
      await connection.close();
    }
  };
  const poolPath = async (virsh: (args: string[]) => Promise<string>) =>
    /<path>(.*)<\/path>/.exec(await virsh(['pool-dumpxml', 'servirt']))?.[1];

  beforeAll(async () => {
    lan = await startLan(LAN);
    sshd = await startHostSshd({
      hostPrivateKey: hostKey.private,
      authorizedKey: clientKey.public,
      listenAddress: lan.hosts.b.address,
      namespaces: { net: lan.netns, mount: lan.hosts.b.mntns },
      ownerPid: process.pid,
    });
  }, 300_000);
  afterAll(async () => {
    await sshd?.stop();
    await stopLan(LAN);
  }, 120_000);

  it('gives each host its own daemon and pool: A on its socket, B over SSH with the pinned keys', async () => {
    expect(await poolPath(onA)).toBe(lan.hosts.a.pool);
    expect(await poolPath(onB)).toBe(lan.hosts.b.pool);
  });

  it("keeps a host's definitions its own: a domain defined on A is on neither B nor this machine", async () => {
    const xml = path.join(lan.runDir, `${DOMAIN}.xml`);
    await writeFile(
      xml,
      `<domain type="qemu"><name>${DOMAIN}</name><memory unit="MiB">64</memory><os><type arch="x86_64">hvm</type></os></domain>\n`,
    );
    await onA(['define', xml]);
    expect((await onA(['list', '--all', '--name'])).split('\n')).toContain(DOMAIN);
    expect((await onB(['list', '--all', '--name'])).split('\n')).not.toContain(DOMAIN);
    expect(existsSync(`/etc/libvirt/qemu/${DOMAIN}.xml`)).toBe(false);
    expect(existsSync(path.join(lan.runDir, 'a/fs/etc/libvirt/qemu', `${DOMAIN}.xml`))).toBe(true);
  });

  it('is invisible from this machine: no route to the LAN, no LAN link here', async () => {
    const { stdout: links } = await run('ip', ['-o', 'link']);
    expect(links).not.toContain(lan.bridge);
    const { stdout: route } = await run('ip', ['route', 'get', lan.hosts.b.address]);
    expect(route).not.toContain(lan.bridge);
  });

  it("carries a loopback port of this machine onto the LAN's loopback (how the operator there reaches kube-apiserver)", async () => {
    const server = createServer((_request, response) => response.end('from this machine'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const stop = await carryLoopbackPort(lan, port);
    try {
      expect(await runOnLan(lan, ['curl', '-sS', '--max-time', '5', `http://127.0.0.1:${port}/`])).toBe(
        'from this machine',
      );
    } finally {
      await stop();
      server.close();
    }
  });

  it('runs a DHCP server on the LAN bridge', async () => {
    const stop = await startLanDhcp(lan, lan.hosts.a.address);
    try {
      expect(await runOnLan(lan, ['ss', '-lun'])).toMatch(/0\.0\.0\.0%lan0:67|\*%lan0:67|:67\b/);
    } finally {
      await stop();
    }
  });

  it('leaves nothing behind when taken down: no namespace, mount or daemon', async () => {
    await sshd?.stop();
    sshd = undefined;
    await stopLan(LAN);
    const { stdout: namespaces } = await run('ip', ['netns', 'list']);
    expect(namespaces).not.toContain(`servirt-lan-${LAN}`);
    expect(existsSync(lan.runDir)).toBe(false);
    const { stdout: daemons } = await run('ps', ['-eo', 'args=']);
    expect(daemons).not.toContain(lan.runDir);
  });
});
