// Real Apache servers for tests, each reached like a guest: an sshd+apache2 pair stands for a
// guest's own sshd and Apache (real processes on 127.0.0.1, not fakes). apache2 runs from a
// temporary folder laid out by localApacheLayout, with Debian's modules and settings
// (localMainConfig) and the first-boot server configuration the guests get; its error log is
// <root>/logs/error.log. The servers of a test file share one sshd (startApacheServers), as root.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import {
  freePort,
  isAlive,
  isListening,
  sleep,
  startProcess,
  stopProcessGroup,
} from '../../../hack/cluster/processes.js';
import type { GuestChannel } from '../../../operator/src/guest/channel.js';
import { renderServerConfig } from '../../../operator/src/guest/apache/config.js';
import { localMainConfig } from '../../../operator/src/guest/apache/debianServer.js';
import { defaultCertificateCommand } from '../../../operator/src/guest/apache/firstBoot.js';
import { localApacheLayout, type ApacheLayout } from '../../../operator/src/guest/apache/layout.js';
import {
  channelThrough,
  startBehindOneSshd,
  type SharedSshd,
  type TestSshAccess,
} from '../standIn/sharedSshd.js';
export type { TestSshAccess };

const run = promisify(execFile);

export interface HttpAnswer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Over HTTPS: the SHA-256 fingerprint of the certificate the server sent (as X509Certificate.fingerprint256). */
  certificateFingerprint?: string;
}

export interface ApacheTestServer {
  name: string;
  root: string;
  layout: ApacheLayout;
  httpPort: number;
  httpsPort: number;
  /** The shared sshd and its keys, for code that logs in by itself (the operator under test). */
  ssh: TestSshAccess;
  /** A channel into this server's "guest" through the shared sshd (closed by stop()). */
  channel(): Promise<GuestChannel>;
  /** One request on a new connection, with host as Host and (over HTTPS) as SNI name; any certificate accepted. */
  get(urlPath: string, options: { host: string; https?: boolean }): Promise<HttpAnswer>;
  /** Whether apache2 is running. */
  isRunning(): boolean;
  /** Stops apache2 gracefully, keeping its files and ports for restart(). */
  shutdown(): Promise<void>;
  /** Starts apache2 again (after shutdown, or after it stopped by itself), same files, same ports. */
  restart(): Promise<void>;
  /** Stops apache2, removes its folder; the shared sshd stops with the last of its servers. */
  stop(): Promise<void>;
}

export async function startApacheServer(options: { name?: string } = {}): Promise<ApacheTestServer> {
  const [server] = await startApacheServers(1, options.name ? [options.name] : undefined);
  return server as ApacheTestServer;
}

/** Starts count servers (named web1, web2, … unless names are given) behind one sshd. */
export async function startApacheServers(count: number, names?: string[]): Promise<ApacheTestServer[]> {
  const named = Array.from({ length: count }, (_, index) => names?.[index] ?? `web${index + 1}`);
  return startBehindOneSshd(named, startOne);
}

async function startOne(name: string, shared: SharedSshd): Promise<ApacheTestServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), `servirt-apache-${name}-`));
  // Apache's workers (www-data) read the content below it.
  await chmod(root, 0o755);
  const layout = localApacheLayout(root, { http: await freePort(), https: await freePort() });
  for (const folder of [layout.runtimeDir ?? root, layout.logDir, layout.siteConfigDir, layout.contentRoot])
    await mkdir(folder, { recursive: true });
  await mkdir(layout.tlsDir, { mode: 0o700 });
  const [openssl, ...opensslArgs] = defaultCertificateCommand(layout);
  await run(openssl as string, opensslArgs);
  await writeFile(layout.mainConfig, localMainConfig(layout));
  await writeFile(layout.serverConfigFile, renderServerConfig(layout));

  const logFile = path.join(root, 'apache2.out');
  const channels: GuestChannel[] = [];
  let pid: number | undefined;
  const start = async () => {
    const [apache2, ...args] = layout.apachectl;
    pid = startProcess(apache2 as string, [...args, '-DFOREGROUND'], logFile, process.pid).pid;
    await untilListening(pid, layout, logFile);
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
    httpPort: layout.httpPort,
    httpsPort: layout.httpsPort,
    ssh: shared.access,
    channel: async () => {
      const channel = await channelThrough(shared);
      channels.push(channel);
      return channel;
    },
    get: (urlPath, options) =>
      get(options.https ? layout.httpsPort : layout.httpPort, urlPath, options.host, options.https ?? false),
    isRunning: () => pid !== undefined && isAlive(pid),
    shutdown,
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

/** Until both ports accept connections; fails early if apache2 exits. */
async function untilListening(pid: number, layout: ApacheLayout, logFile: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if ((await isListening(layout.httpPort)) && (await isListening(layout.httpsPort))) return;
    if (!isAlive(pid) || attempt > 100) {
      const logs = await Promise.all(
        [logFile, layout.errorLog].map((file) => readFile(file, 'utf8').catch(() => '')),
      );
      throw new Error(`apache2 did not start:\n${logs.join('\n').split('\n').slice(-20).join('\n')}`);
    }
    await sleep(100);
  }
}

function get(port: number, urlPath: string, host: string, overTls: boolean): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path: urlPath, headers: { host }, agent: false };
    const answer = (response: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      const socket = response.socket;
      const certificateFingerprint =
        socket instanceof TLSSocket ? socket.getPeerCertificate().fingerprint256 : undefined;
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: response.headers,
          ...(certificateFingerprint && { certificateFingerprint }),
        }),
      );
    };
    const request = overTls
      ? https.get(
          { ...options, rejectUnauthorized: false, ...(isIP(host) === 0 && { servername: host }) },
          answer,
        )
      : http.get(options, answer);
    request.on('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error(`GET ${urlPath} for ${host} timed out`)));
  });
}
