// Real BIND servers for tests, each reached like a guest: an sshd+named pair stands for a guest's
// own sshd and named (real processes on 127.0.0.1, not fakes). named runs from a temporary folder
// laid out by localBindLayout, starts from the first-boot configuration the guests get, and logs to
// <root>/named.log. The servers of a test file share one sshd (startBindServers), as root.
import { readFile, rm, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { execFile, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, isAlive, sleep, startProcess, stopProcessGroup } from '../../../hack/cluster/processes.js';
import type { GuestChannel } from '../../../operator/src/guest/channel.js';
import { renderServerConfig } from '../../../operator/src/guest/bind/config.js';
import {
  localBindLayout,
  mainConfigContent,
  zoneFolders,
  type BindLayout,
} from '../../../operator/src/guest/bind/layout.js';
import { EMPTY_SERVER_CONFIG, type TsigKeyConfig } from '../../../operator/src/guest/bind/model.js';
import {
  channelThrough,
  startBehindOneSshd,
  type SharedSshd,
  type TestSshAccess,
} from '../standIn/sharedSshd.js';
export type { TestSshAccess };

const run = promisify(execFile);

export interface BindTestServer {
  name: string;
  root: string;
  layout: BindLayout;
  dnsPort: number;
  logFile: string;
  /** The shared sshd and its keys, for code that logs in by itself (the operator under test). */
  ssh: TestSshAccess;
  /** A channel into this server's "guest" through the shared sshd (closed by stop()). */
  channel(): Promise<GuestChannel>;
  /** Runs rndc against this server from the test process; resolves with its output. */
  rndc(...args: string[]): Promise<string>;
  /** The zone's SOA serial as this server answers it; undefined when it does not serve the zone. */
  soaSerial(zone: string): Promise<number | undefined>;
  /** Sends nsupdate commands (`update add …`; `send` is added) signed with key; rejects on failure. */
  nsupdate(key: TsigKeyConfig, commands: string[]): Promise<void>;
  /** Stops named gracefully, keeping its files and ports for restart(). */
  shutdown(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts named again (after shutdown or kill, or stops it first), same files, same ports. */
  restart(): Promise<void>;
  /** Stops named, removes its folder; the shared sshd stops with the last of its servers. */
  stop(): Promise<void>;
}

export async function startBindServer(options: { name?: string } = {}): Promise<BindTestServer> {
  const [server] = await startBindServers(1, options.name ? [options.name] : undefined);
  return server as BindTestServer;
}

/** Starts count servers (named ns1, ns2, … unless names are given) behind one sshd. */
export async function startBindServers(count: number, names?: string[]): Promise<BindTestServer[]> {
  const named = Array.from({ length: count }, (_, index) => names?.[index] ?? `ns${index + 1}`);
  return startBehindOneSshd(named, startOne);
}

async function startOne(name: string, shared: SharedSshd): Promise<BindTestServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), `servirt-bind-${name}-`));
  const layout = localBindLayout(root, { dns: await freePort(), control: await freePort() });
  for (const folder of [layout.directory, layout.runtimeDir ?? root, ...zoneFolders(layout)])
    await mkdir(folder, { recursive: true });
  await run('/usr/sbin/rndc-confgen', [
    '-a',
    '-A',
    'hmac-sha256',
    '-k',
    'rndc-key',
    '-c',
    layout.rndcKeyFile,
  ]);
  for (const file of renderServerConfig(layout, EMPTY_SERVER_CONFIG))
    await writeFile(file.path, file.content);
  await writeFile(layout.mainConfig, mainConfigContent(layout.mainConfigIncludes));

  const logFile = path.join(root, 'named.log');
  const channels: GuestChannel[] = [];
  let pid: number | undefined;
  const rndc = async (...args: string[]) => {
    const [command, ...rest] = layout.rndc;
    const { stdout } = await run(command === 'rndc' ? '/usr/sbin/rndc' : (command as string), [
      ...rest,
      ...args,
    ]);
    return stdout;
  };
  const start = async () => {
    pid = startProcess(
      '/usr/sbin/named',
      ['-g', '-n', '1', '-c', layout.mainConfig],
      logFile,
      process.pid,
    ).pid;
    await untilAnswering(pid, rndc, logFile);
  };
  const shutdown = async () => {
    if (pid !== undefined) await stopProcessGroup(pid);
    pid = undefined;
  };
  await start();
  shared.users++;

  return {
    name,
    root,
    layout,
    dnsPort: layout.port,
    logFile,
    ssh: shared.access,
    channel: async () => {
      const channel = await channelThrough(shared);
      channels.push(channel);
      return channel;
    },
    rndc,
    soaSerial: (zone) => soaSerial(layout.port, zone),
    nsupdate: (key, commands) => nsupdate(layout.port, key, commands),
    shutdown,
    kill: async () => {
      if (pid === undefined) return;
      process.kill(-pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(20);
      pid = undefined;
    },
    restart: async () => {
      await shutdown();
      await start();
    },
    stop: async () => {
      channels.splice(0).forEach((channel) => channel.close());
      await shutdown();
      await rm(root, { recursive: true, force: true });
      if (--shared.users === 0) await shared.sshd.stop();
    },
  };
}

/** Until named's control channel answers (it opens after the listeners); fails early if named exits. */
async function untilAnswering(pid: number, rndc: (...args: string[]) => Promise<string>, logFile: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      await rndc('status');
      return;
    } catch {
      if (!isAlive(pid) || attempt > 150) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(
          `named did not start; the end of ${logFile}:\n${log.split('\n').slice(-15).join('\n')}`,
        );
      }
      await sleep(100);
    }
  }
}

async function soaSerial(port: number, zone: string): Promise<number | undefined> {
  const { stdout } = await run('/usr/bin/dig', [
    '+short',
    '+time=1',
    '+tries=2',
    '-p',
    String(port),
    '@127.0.0.1',
    zone,
    'SOA',
  ]);
  const serial = stdout.trim().split(/\s+/)[2];
  return serial === undefined ? undefined : Number(serial);
}

function nsupdate(port: number, key: TsigKeyConfig, commands: string[]): Promise<void> {
  const script = [`server 127.0.0.1 ${port}`, ...commands, 'send', ''].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/nsupdate', ['-y', `${key.algorithm}:${key.name}:${key.secret}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`nsupdate failed (${code}): ${output}`)),
    );
    child.stdin.end(script);
  });
}
