// The LAN of hack/lan/hosts.sh from TypeScript: bring it up and down, run commands on it, carry
// this machine's kube-apiserver port into it, and give it a DHCP server of its own.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoDir } from '../cluster/tools.js';
import { sleep, startProcess, stopProcessGroup } from '../cluster/processes.js';

const run = promisify(execFile);

export interface LanHost {
  mntns: string;
  address: string;
  /** libvirtd's socket: qemu:///system?socket=<this> reaches the host from the LAN or from here. */
  socket: string;
  pool: string;
}

export interface Lan {
  name: string;
  netns: string;
  runDir: string;
  bridge: string;
  hosts: { a: LanHost; b: LanHost };
}

const script = (action: 'up' | 'down', name: string) =>
  run('bash', [path.join(repoDir, 'hack/lan/hosts.sh'), action, name], { timeout: 240_000 });

/** A new LAN (one left by an earlier run of the same name is removed first). */
export async function startLan(name: string): Promise<Lan> {
  await script('down', name);
  const { stdout } = await script('up', name);
  return { name, ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Omit<Lan, 'name'>) };
}

export async function stopLan(name: string): Promise<void> {
  await script('down', name);
}

/** argv that runs command in the LAN's network namespace (this machine's files), or in a host's. */
export function onLan(lan: Lan, command: string[], host?: keyof Lan['hosts']): string[] {
  return ['nsenter', `--net=${lan.netns}`, ...(host ? [`--mount=${lan.hosts[host].mntns}`] : []), ...command];
}

export async function runOnLan(
  lan: Lan,
  command: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  const [file, ...args] = onLan(lan, command) as [string, ...string[]];
  const { stdout } = await run(file, args, {
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

async function untilLogged(logFile: string, text: string, what: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await readFile(logFile, 'utf8').catch(() => '')).includes(text)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not start; see ${logFile}`);
}

/**
 * This machine's loopback port on the LAN's loopback too (the kube-apiserver, whose certificate
 * names 127.0.0.1): a forwarder here and one on the LAN, joined by a Unix socket in runDir.
 */
export async function carryLoopbackPort(
  lan: Lan,
  port: number,
  ownerPid?: number,
): Promise<() => Promise<void>> {
  const forward = path.join(repoDir, 'hack/cluster/forward.mjs');
  const socket = path.join(lan.runDir, `loopback-${port}.sock`);
  const outside = startProcess(
    process.execPath,
    [forward, 'unix', socket, '127.0.0.1', String(port)],
    path.join(lan.runDir, `loopback-${port}-out.log`),
    ownerPid,
  );
  await untilLogged(outside.logFile, 'forwarding', 'the forwarder on this machine');
  const [file, ...args] = onLan(lan, [
    process.execPath,
    forward,
    '127.0.0.1',
    String(port),
    'unix',
    socket,
  ]) as [string, ...string[]];
  const inside = startProcess(file, args, path.join(lan.runDir, `loopback-${port}-in.log`), ownerPid);
  await untilLogged(inside.logFile, 'forwarding', 'the forwarder on the LAN');
  return async () => {
    await stopProcessGroup(inside.pid);
    await stopProcessGroup(outside.pid);
  };
}

/** A DHCP server on the LAN's bridge (dnsmasq, no DNS), as a LAN has one; leases from .100 up. */
export async function startLanDhcp(
  lan: Lan,
  gateway: string,
  ownerPid?: number,
): Promise<() => Promise<void>> {
  const prefix = gateway.split('.').slice(0, 3).join('.');
  const logFile = path.join(lan.runDir, 'dhcp.log');
  const [file, ...args] = onLan(lan, [
    'dnsmasq',
    '--keep-in-foreground',
    '--user=root',
    '--log-facility=-',
    '--port=0',
    '--bind-interfaces',
    `--interface=${lan.bridge}`,
    '--except-interface=lo',
    `--dhcp-range=${prefix}.100,${prefix}.149,255.255.255.0,1h`,
    `--dhcp-option=option:router,${gateway}`,
    `--dhcp-leasefile=${path.join(lan.runDir, 'dhcp.leases')}`,
    `--pid-file=${path.join(lan.runDir, 'dhcp.pid')}`,
  ]) as [string, ...string[]];
  const started = startProcess(file, args, logFile, ownerPid);
  await untilLogged(logFile, 'DHCP, IP range', 'the LAN DHCP server');
  return () => stopProcessGroup(started.pid);
}
