// One stand-in "virt-launcher": a temp folder with a copy-on-write overlay of the local guest
// image and a NoCloud seed ISO, and QEMU (TCG, direct kernel boot, user-mode networking) on it,
// as hack/guest-image/boot-check.sh boots the image, with the guest agent's channel on the
// socket qga.sock in that folder (guestAgent.ts).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { guestAgentQemuArgs } from './guestAgent.js';
import { hostForwards } from './loopbackAddress.js';

const run = promisify(execFile);
const STOP_GRACE_MS = 10_000;

export interface BootPlan {
  /** Folder with disk.qcow2, vmlinuz, initrd.img and manifest.json (hack/guest-image/build.sh). */
  imageDir: string;
  memoryMiB: number;
  cpus: number;
  mac: string;
  /** The instance's "pod IP": its forwarded ports listen here. */
  address: string;
  userData: string;
  metaData: string;
  networkData?: string;
  /** Names the temp folder. */
  label: string;
}

export interface QemuExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface QemuInstance {
  dir: string;
  pid: number;
  address: string;
  /** The Unix socket QEMU serves the virtio-serial port org.qemu.guest_agent.0 on. */
  agentSocket: string;
  /** Set once QEMU has exited. */
  exit?: QemuExit;
  exited: Promise<QemuExit>;
  /** SIGTERM, then SIGKILL after 10 s; resolves when QEMU is gone. */
  stop(): Promise<void>;
  /** Removes the temp folder (QEMU must be gone). */
  remove(): Promise<void>;
  consoleTail(lines?: number): Promise<string>;
}

async function kernelCommandLine(imageDir: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(imageDir, 'manifest.json'), 'utf8')) as {
    kernelCommandLine?: string;
  };
  return manifest.kernelCommandLine ?? 'root=LABEL=servirt-root ro console=ttyS0';
}

/** Writes the seed ISO and the overlay into a new temp folder. */
async function prepareFolder(plan: BootPlan): Promise<string> {
  const safe = plan.label.replace(/[^a-zA-Z0-9.-]/g, '-').slice(0, 60);
  const dir = await mkdtemp(path.join(os.tmpdir(), `servirt-standin-${safe}-`));
  try {
    const files = ['user-data', 'meta-data'];
    await writeFile(path.join(dir, 'user-data'), plan.userData);
    await writeFile(path.join(dir, 'meta-data'), plan.metaData);
    if (plan.networkData !== undefined) {
      await writeFile(path.join(dir, 'network-config'), plan.networkData);
      files.push('network-config');
    }
    await run(
      'xorriso',
      ['-as', 'mkisofs', '-quiet', '-V', 'cidata', '-J', '-r', '-o', 'seed.iso', ...files],
      {
        cwd: dir,
      },
    );
    await run('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      path.join(plan.imageDir, 'disk.qcow2'),
      path.join(dir, 'overlay.qcow2'),
    ]);
    return dir;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function waitForSpawn(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

/** Prepares the folder and starts QEMU; resolves once the process exists (the guest boots on). */
export async function bootQemu(plan: BootPlan): Promise<QemuInstance> {
  const dir = await prepareFolder(plan);
  const consolePath = path.join(dir, 'console.log');
  const agentSocket = path.join(dir, 'qga.sock');
  const args = [
    '--pdeathsig',
    'KILL',
    '--',
    'qemu-system-x86_64',
    '-machine',
    'accel=tcg',
    '-m',
    String(plan.memoryMiB),
    '-smp',
    String(plan.cpus),
    '-nographic',
    '-no-reboot',
    '-kernel',
    path.join(plan.imageDir, 'vmlinuz'),
    '-initrd',
    path.join(plan.imageDir, 'initrd.img'),
    '-append',
    await kernelCommandLine(plan.imageDir),
    '-drive',
    `file=${path.join(dir, 'overlay.qcow2')},format=qcow2,if=virtio`,
    '-drive',
    `file=${path.join(dir, 'seed.iso')},format=raw,if=virtio,readonly=on`,
    '-netdev',
    `user,id=n0,ipv6=off,${hostForwards(plan.address)}`,
    '-device',
    `virtio-net-pci,netdev=n0,mac=${plan.mac}`,
    ...guestAgentQemuArgs(agentSocket),
  ];
  const consoleFd = openSync(consolePath, 'a');
  let child: ChildProcess;
  try {
    // setpriv execs QEMU (same pid); --pdeathsig kills QEMU if this process dies, even by SIGKILL.
    child = spawn('setpriv', args, { stdio: ['ignore', consoleFd, consoleFd] });
    await waitForSpawn(child);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    closeSync(consoleFd);
  }
  const instance: QemuInstance = {
    dir,
    pid: child.pid ?? -1,
    address: plan.address,
    agentSocket,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        instance.exit = { code, signal };
        resolve(instance.exit);
      });
    }),
    async stop() {
      if (instance.exit) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await instance.exited;
      clearTimeout(timer);
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
    async consoleTail(lines = 20) {
      const text = await readFile(consolePath, 'utf8').catch(() => '');
      return text.replace(/\r/g, '').trimEnd().split('\n').slice(-lines).join('\n');
    },
  };
  return instance;
}
