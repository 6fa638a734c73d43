// The native DNS baseline: the same BIND, with the configuration servirt gives its guests, run by
// the benchmark Job itself on loopback, serving the benchmark's zone from zone.db.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { renderServerConfig } from '../../guest/bind/config.js';
import { quotedPath, quotedZone } from '../../guest/bind/confSyntax.js';
import { localBindLayout, mainConfigContent, zoneFolders } from '../../guest/bind/layout.js';
import { EMPTY_SERVER_CONFIG } from '../../guest/bind/model.js';
import { query } from '../../dns/client.js';

const run = promisify(execFile);

export interface NativeServer {
  endpoint: { host: string; port: number };
  stop(): Promise<void>;
}

/**
 * Starts named on 127.0.0.1 (or listenAddress) serving origin from zoneFile; resolves once it
 * answers the zone's SOA.
 */
export async function startNativeBind(
  origin: string,
  zoneFile: string,
  listenAddress = '127.0.0.1',
): Promise<NativeServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'servirt-native-bind-'));
  const ports = { dns: await freeLoopbackPort(), control: await freeLoopbackPort() };
  const layout = localBindLayout(root, ports, listenAddress);
  for (const folder of [layout.directory, layout.runtimeDir ?? root, ...zoneFolders(layout)])
    await mkdir(folder, { recursive: true });
  await run('rndc-confgen', ['-a', '-A', 'hmac-sha256', '-k', 'rndc-key', '-c', layout.rndcKeyFile]);
  for (const file of renderServerConfig(layout, EMPTY_SERVER_CONFIG))
    await writeFile(file.path, file.content);
  const zonePath = path.join(layout.zoneDir, 'bench.db');
  await writeFile(zonePath, zoneFile);
  const zoneConfig = path.join(root, 'named.conf.bench');
  await writeFile(
    zoneConfig,
    `zone ${quotedZone(origin)} {\n\ttype primary;\n\tfile ${quotedPath(zonePath)};\n};\n`,
  );
  await writeFile(layout.mainConfig, mainConfigContent([...layout.mainConfigIncludes, zoneConfig]));

  const named = spawn('named', ['-g', '-c', layout.mainConfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  named.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
  const endpoint = { host: listenAddress, port: layout.port };
  const stop = async () => {
    await stopChild(named);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await untilServing(named, endpoint, origin, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function untilServing(
  named: ChildProcess,
  endpoint: { host: string; port: number },
  origin: string,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (named.exitCode !== null || named.signalCode !== null)
      throw new Error(`the native named exited: ${lastLines(log())}`);
    const answer = await query(endpoint, origin, 'SOA', { timeoutMs: 500 }).catch(() => undefined);
    if (answer?.rcode === 'NOERROR' && answer.answers.length > 0) return;
    if (Date.now() > deadline)
      throw new Error(`the native named did not serve ${origin} in 30 s: ${lastLines(log())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A port free on 127.0.0.1 now (the kernel's choice). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
