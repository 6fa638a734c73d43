import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { get as httpGet } from 'node:http';
import path from 'node:path';
import { generatePki, type Pki } from './pki.js';
import { freePort, isAlive, sleep, startProcess, stopProcessGroup, type Started } from './processes.js';
import { toolPath } from './tools.js';
import { kubeconfigYaml } from './kubeconfig.js';

export interface ControlPlaneState {
  dir: string;
  etcdPort: number;
  etcdPeerPort: number;
  apiServerPort: number;
  etcdPid: number;
  apiServerPid: number;
  ownerPid?: number;
}

const STATE_FILE = 'state.json';
export const SERVICE_CIDR = '10.96.0.0/16';

/** A real etcd and kube-apiserver on 127.0.0.1, with RBAC, for tests and local development. */
export class ControlPlane {
  private constructor(
    private state: ControlPlaneState,
    private readonly pki: Pki,
  ) {}

  get dir(): string {
    return this.state.dir;
  }
  get kubeconfigPath(): string {
    return path.join(this.state.dir, 'kubeconfig');
  }
  /** The CA and the admin's certificate, for a local node (hack/cluster/node.ts). */
  get credentials(): Pki {
    return this.pki;
  }
  get apiServerPort(): number {
    return this.state.apiServerPort;
  }
  get server(): string {
    return `https://127.0.0.1:${this.state.apiServerPort}`;
  }
  get etcdEndpoint(): string {
    return `http://127.0.0.1:${this.state.etcdPort}`;
  }

  /** Starts etcd and kube-apiserver in dir; with ownerPid, they stop when that process exits. */
  static async start(dir: string, ownerPid?: number): Promise<ControlPlane> {
    await mkdir(dir, { recursive: true });
    const pkiDir = path.join(dir, 'pki');
    await mkdir(pkiDir, { recursive: true });
    const pki = await generatePki(pkiDir);
    const [etcdPort, etcdPeerPort, apiServerPort] = [await freePort(), await freePort(), await freePort()];
    const state: ControlPlaneState = {
      dir,
      etcdPort,
      etcdPeerPort,
      apiServerPort,
      etcdPid: 0,
      apiServerPid: 0,
    };
    if (ownerPid !== undefined) state.ownerPid = ownerPid;
    const plane = new ControlPlane(state, pki);
    try {
      await plane.startEtcd();
      await plane.startApiServer();
      await writeFile(plane.kubeconfigPath, kubeconfigYaml(plane.server, pki), { mode: 0o600 });
      return plane;
    } catch (error) {
      await plane.stop();
      throw error;
    }
  }

  /** Reattaches to a control plane that `start` left running in dir (used by `cluster:down`). */
  static async attach(dir: string): Promise<ControlPlane | undefined> {
    try {
      const state = JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as ControlPlaneState;
      return new ControlPlane(state, await generatePkiPaths(path.join(dir, 'pki')));
    } catch {
      return undefined;
    }
  }

  isRunning(): boolean {
    return this.state.apiServerPid > 0 && isAlive(this.state.apiServerPid) && isAlive(this.state.etcdPid);
  }

  async startEtcd(): Promise<void> {
    const { dir, etcdPeerPort } = this.state;
    const peer = `http://127.0.0.1:${etcdPeerPort}`;
    const started = startProcess(
      await toolPath('etcd'),
      [
        '--name=servirt',
        `--data-dir=${path.join(dir, 'etcd-data')}`,
        `--listen-client-urls=${this.etcdEndpoint}`,
        `--advertise-client-urls=${this.etcdEndpoint}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=servirt=${peer}`,
        '--log-level=warn',
        // Throw-away data: skipping fsync makes every write several times faster.
        '--unsafe-no-fsync',
      ],
      path.join(dir, 'etcd.log'),
      this.state.ownerPid,
    );
    this.state.etcdPid = started.pid;
    await this.saveState();
    await waitFor('etcd', started, () => httpStatus(`${this.etcdEndpoint}/health`));
  }

  async startApiServer(): Promise<void> {
    const started = await this.launchApiServer(this.state.apiServerPort, 'kube-apiserver.log');
    this.state.apiServerPid = started.pid;
    await this.saveState();
    await waitFor(
      'kube-apiserver',
      started,
      () => httpStatus(`${this.server}/readyz`, this.pki.caCert),
      90_000,
    );
  }

  /**
   * A second kube-apiserver on the same etcd, as in a highly available control plane:
   * tests use it to change objects while the first one is down.
   */
  async startSecondApiServer(): Promise<{ kubeconfigPath: string; stop: () => Promise<void> }> {
    const port = await freePort();
    const started = await this.launchApiServer(port, 'kube-apiserver-2.log');
    const server = `https://127.0.0.1:${port}`;
    await waitFor(
      'second kube-apiserver',
      started,
      () => httpStatus(`${server}/readyz`, this.pki.caCert),
      90_000,
    );
    const kubeconfigPath = path.join(this.state.dir, 'kubeconfig-2');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, this.pki), { mode: 0o600 });
    return { kubeconfigPath, stop: () => stopProcessGroup(started.pid) };
  }

  /** Compacts etcd's history up to its current revision: watches from older resourceVersions get 410 Gone. */
  async compactEtcd(): Promise<number> {
    const range = await postJson(`${this.etcdEndpoint}/v3/kv/range`, {
      key: Buffer.from('/').toString('base64'),
    });
    const revision = Number((range as { header: { revision: string } }).header.revision);
    await postJson(`${this.etcdEndpoint}/v3/kv/compaction`, { revision: String(revision), physical: true });
    return revision;
  }

  private async launchApiServer(port: number, logName: string): Promise<Started> {
    const pki = this.pki;
    return startProcess(
      await toolPath('kube-apiserver'),
      [
        `--etcd-servers=${this.etcdEndpoint}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${path.join(this.state.dir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // No pod can reach the loopback address: a local node writes the "kubernetes" Service's
        // endpoints itself (its forwarder's address), and without a node there are none.
        '--endpoint-reconciler-type=none',
        // logs and exec reach a local node's kubelet at its address, as the admin.
        '--kubelet-preferred-address-types=InternalIP',
        `--kubelet-client-certificate=${pki.adminCert}`,
        `--kubelet-client-key=${pki.adminKey}`,
        '--v=1',
      ],
      path.join(this.state.dir, logName),
      this.state.ownerPid,
    );
  }

  async stopApiServer(): Promise<void> {
    if (this.state.apiServerPid > 0) await stopProcessGroup(this.state.apiServerPid);
  }

  /** SIGSTOP / SIGCONT kube-apiserver: it keeps its connections and answers nothing, like a server lost mid-request. */
  freezeApiServer(frozen: boolean): void {
    process.kill(-this.state.apiServerPid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async stopEtcd(): Promise<void> {
    if (this.state.etcdPid > 0) await stopProcessGroup(this.state.etcdPid);
  }

  async stop(): Promise<void> {
    await this.stopApiServer();
    await this.stopEtcd();
  }

  private saveState(): Promise<void> {
    return writeFile(path.join(this.state.dir, STATE_FILE), JSON.stringify(this.state, null, 2) + '\n');
  }
}

async function generatePkiPaths(pkiDir: string): Promise<Pki> {
  const file = (name: string) => path.join(pkiDir, name);
  return {
    caCert: file('ca.crt'),
    servingCert: file('apiserver.crt'),
    servingKey: file('apiserver.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPub: file('sa.pub'),
  };
}

async function waitFor(name: string, started: Started, ready: () => Promise<number>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(started.pid)) throw new Error(`${name} exited during start; see ${started.logFile}`);
    if ((await ready().catch(() => 0)) === 200) return;
    await sleep(200);
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s; see ${started.logFile}`);
}

async function httpStatus(url: string, caFile?: string): Promise<number> {
  const ca = caFile ? await readFile(caFile) : undefined;
  return new Promise((resolve, reject) => {
    const request = ca ? httpsGet(url, { ca, timeout: 2000 }) : httpGet(url, { timeout: 2000 });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}
