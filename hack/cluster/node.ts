// A real Kubernetes node next to the local control plane: containerd (Debian's, with runc and
// the CNI plugins) and a kubelet built from the Go module proxy, in a network and mount namespace
// of their own (hack/node/netns.sh). Pods get addresses of 10.244.0.0/24 on a bridge inside that
// namespace; the node reaches the loopback-only kube-apiserver through a forwarder on the root
// side of its veth pair. Images are loaded from OCI archives (no registry can be reached).
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlane } from './controlPlane.js';
import { kubeconfigYaml } from './kubeconfig.js';
import {
  apiServerEndpoints,
  ENDPOINTS_OWNER_LABEL,
  cniConfig,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
} from './nodeConfig.js';
import { startProcess, stopProcessGroup, until, type Started } from './processes.js';
import { repoDir, toolPath } from './tools.js';

export { POD_SUBNET } from './nodeConfig.js';
const run = promisify(execFile);
const API_PORT_ON_VETH = 6443;

/** Where hack/node/netns.sh put the node. */
export interface NodePlace {
  netns: string;
  mntns: string;
  runDir: string;
  cgroupRoot: string;
  hostAddress: string;
  nodeAddress: string;
  hostLink: string;
}

export interface NodeOptions {
  /** 1-8 of a-z0-9: the node is servirt-node-<name>. */
  name: string;
  plane: ControlPlane;
  /** OCI archives to load into the node's containerd; the first's image need not be the sandbox. */
  imageArchives: string[];
  /** The pause image among them (containerd's sandbox_image). */
  sandboxImage: string;
  ownerPid?: number;
}

export class LocalNode {
  private readonly processes: Started[] = [];

  private constructor(
    readonly nodeName: string,
    readonly place: NodePlace,
    private readonly options: NodeOptions,
  ) {}

  /** The process groups it started (containerd, kubelet, kube-proxy, the forwarder): for a later stop. */
  get processIds(): number[] {
    return this.processes.map((started) => started.pid);
  }

  /**
   * Stops a node another process started (`npm run local`): its process groups, then everything
   * in its namespaces (hack/node/netns.sh down).
   */
  static async stopDetached(name: string, processIds: number[]): Promise<void> {
    for (const pid of processIds) await stopProcessGroup(pid, 5_000);
    await netns('down', name);
  }

  get containerdSocket(): string {
    return path.join(this.place.runDir, 'containerd.sock');
  }

  /** Makes the namespaces, starts containerd, loads the images, starts the kubelet, waits for Ready. */
  static async start(options: NodeOptions): Promise<LocalNode> {
    // What a killed run of the same node left (the servirt-node-<name> namespace is only ever ours).
    await netns('down', options.name);
    const place = await netns('up', options.name).then((out) => JSON.parse(lastLine(out)) as NodePlace);
    const node = new LocalNode(`servirt-node-${options.name}`, place, options);
    try {
      await node.startContainerd();
      for (const archive of options.imageArchives)
        await node.ctr(['images', 'import', '--all-platforms', archive]);
      await node.startKubelet();
      await node.untilReady(120_000);
      await node.startKubeProxy();
      return node;
    } catch (error) {
      await node.stop();
      throw error;
    }
  }

  /** Stops every process of the node, its containers included, and removes all it made. */
  async stop(): Promise<void> {
    for (const started of [...this.processes].reverse()) await stopProcessGroup(started.pid, 5_000);
    await netns('down', this.options.name);
    await this.kubectl(['delete', 'node', this.nodeName, '--ignore-not-found', '--wait=false']).catch(
      () => undefined,
    );
    await this.kubectl([
      'delete',
      'endpointslices',
      '-n',
      'default',
      '-l',
      `${ENDPOINTS_OWNER_LABEL}=servirt-local-node`,
      '--wait=false',
    ]).catch(() => undefined);
  }

  private async kubectl(args: string[], input?: string): Promise<string> {
    const child = run(await toolPath('kubectl'), [
      '--kubeconfig',
      this.options.plane.kubeconfigPath,
      ...args,
    ]);
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  }

  /** ctr against the node's containerd, namespace k8s.io (the kubelet's). */
  async ctr(args: string[]): Promise<string> {
    const { stdout } = await run('ctr', ['--address', this.containerdSocket, '-n', 'k8s.io', ...args], {
      maxBuffer: 16 * 1024 * 1024,
      timeout: 300_000,
    });
    return stdout;
  }

  private inNode(command: string, args: string[], log: string): Started {
    const started = startProcess(
      'nsenter',
      [`--net=${this.place.netns}`, `--mount=${this.place.mntns}`, command, ...args],
      path.join(this.place.runDir, log),
      this.options.ownerPid,
    );
    this.processes.push(started);
    return started;
  }

  private async startContainerd(): Promise<void> {
    const dir = this.place.runDir;
    await mkdir(path.join(dir, 'net.d'), { recursive: true });
    await writeFile(path.join(dir, 'net.d', '10-servirt.conflist'), JSON.stringify(cniConfig(), null, 2));
    const config = path.join(dir, 'containerd.toml');
    await writeFile(config, containerdConfig(dir, this.options.sandboxImage));
    this.inNode('containerd', ['--config', config], 'containerd.log');
    await until(
      () =>
        this.ctr(['version']).then(
          () => true,
          () => false,
        ),
      30_000,
      'containerd',
    );
  }

  private async startKubelet(): Promise<void> {
    const dir = this.place.runDir;
    const plane = this.options.plane;
    const forwarder = startProcess(
      process.execPath,
      [
        path.join(repoDir, 'hack/cluster/forward.mjs'),
        this.place.hostAddress,
        String(API_PORT_ON_VETH),
        '127.0.0.1',
        String(plane.apiServerPort),
      ],
      path.join(dir, 'forward.log'),
      this.options.ownerPid,
    );
    this.processes.push(forwarder);
    const kubeconfig = path.join(dir, 'kubelet.kubeconfig');
    const server = `https://${this.place.hostAddress}:${API_PORT_ON_VETH}`;
    await writeFile(kubeconfig, kubeconfigYaml(server, plane.credentials, 'localhost'), { mode: 0o600 });
    const config = path.join(dir, 'kubelet.yaml');
    await mkdir(path.join(dir, 'pod-logs'), { recursive: true });
    await writeFile(config, kubeletConfig(this.place, this.containerdSocket, plane.credentials.caCert));
    this.inNode(
      await toolPath('kubelet'),
      [
        `--config=${config}`,
        `--kubeconfig=${kubeconfig}`,
        `--root-dir=${path.join(dir, 'kubelet')}`,
        `--hostname-override=${this.nodeName}`,
        `--node-ip=${this.place.nodeAddress}`,
        '--v=1',
      ],
      'kubelet.log',
    );
  }

  /** kube-proxy, once the `kubernetes` Service has the forwarder as its endpoint: in-cluster clients work. */
  private async startKubeProxy(): Promise<void> {
    const dir = this.place.runDir;
    await this.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(apiServerEndpoints(this.place.hostAddress, API_PORT_ON_VETH)),
    );
    const config = path.join(dir, 'kube-proxy.yaml');
    await writeFile(config, kubeProxyConfig(this.nodeName, path.join(dir, 'kubelet.kubeconfig')));
    this.inNode(await toolPath('kube-proxy'), [`--config=${config}`, '--v=1'], 'kube-proxy.log');
    await until(
      () =>
        run('nsenter', [`--net=${this.place.netns}`, 'iptables', '-t', 'nat', '-S', 'KUBE-SERVICES']).then(
          ({ stdout }) => stdout.includes('10.96.0.1/32'),
          () => false,
        ),
      60_000,
      "kube-proxy's rules for the kubernetes Service",
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; kube-proxy's log ends: ${await logTail(path.join(dir, 'kube-proxy.log'))}`,
      );
    });
  }

  private async untilReady(timeoutMs: number): Promise<void> {
    await until(
      async () => {
        const got = await this.kubectl([
          'get',
          'node',
          this.nodeName,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]).catch(() => '');
        return got.trim() === 'True';
      },
      timeoutMs,
      `node ${this.nodeName} Ready (kubelet log: ${path.join(this.place.runDir, 'kubelet.log')})`,
    );
  }
}

async function netns(action: 'up' | 'down', name: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(repoDir, 'hack/node/netns.sh'), action, name], {
    timeout: 60_000,
  });
  return stdout;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-15).join('\n');
}
