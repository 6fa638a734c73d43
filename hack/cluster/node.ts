// A real Kubernetes node next to the local control plane: containerd (Debian's, with runc and
// the CNI plugins) and a kubelet built from the Go module proxy, in a network and mount namespace
// of their own (hack/node/netns.sh). Pods get addresses of 10.244.0.0/24 on a bridge inside that
// namespace; the node reaches the loopback-only kube-apiserver through a forwarder on the root
// side of its veth pair. Images are loaded from OCI archives (no registry can be reached).
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import type { ControlPlane } from './controlPlane.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { sleep, startProcess, stopProcessGroup, type Started } from './processes.js';
import { repoDir, toolPath } from './tools.js';

const run = promisify(execFile);
const API_PORT_ON_VETH = 6443;
export const POD_SUBNET = '10.244.0.0/24';

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
    await run(await toolPath('kubectl'), [
      '--kubeconfig',
      this.options.plane.kubeconfigPath,
      'delete',
      'node',
      this.nodeName,
      '--ignore-not-found',
      '--wait=false',
    ]).catch(() => undefined);
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

  private async untilReady(timeoutMs: number): Promise<void> {
    const kubectl = await toolPath('kubectl');
    await until(
      async () => {
        const got = await run(kubectl, [
          '--kubeconfig',
          this.options.plane.kubeconfigPath,
          'get',
          'node',
          this.nodeName,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]).catch(() => ({ stdout: '' }));
        return got.stdout.trim() === 'True';
      },
      timeoutMs,
      `node ${this.nodeName} Ready (kubelet log: ${path.join(this.place.runDir, 'kubelet.log')})`,
    );
  }
}

export function cniConfig() {
  return {
    cniVersion: '1.0.0',
    name: 'servirt-node',
    plugins: [
      {
        type: 'bridge',
        bridge: 'servirt0',
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], routes: [{ dst: '0.0.0.0/0' }] },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'loopback' },
    ],
  };
}

export function containerdConfig(dir: string, sandboxImage: string): string {
  // restrict_oom_score_adj: this host does not let containerd lower a process's OOM score.
  return `version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
[grpc]
  address = "${dir}/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/net.d"
`;
}

export function kubeletConfig(place: NodePlace, containerdSocket: string, clientCa: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // This host is cgroup v1 without systemd; hack/node/netns.sh made cgroupRoot.
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: place.cgroupRoot,
    containerRuntimeEndpoint: `unix://${containerdSocket}`,
    podLogsDir: path.join(place.runDir, 'pod-logs'),
    // The kernel settings it writes are files bind-mounted in the node's mount namespace.
    protectKernelDefaults: false,
    address: place.nodeAddress,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: false },
      x509: { clientCAFile: clientCa },
    },
    // Only the API server (the admin's certificate) can reach it: see the authentication above.
    authorization: { mode: 'AlwaysAllow' },
    failSwapOn: false,
    resolvConf: '',
    clusterDomain: 'cluster.local',
    enforceNodeAllocatable: [],
    evictionHard: {},
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
  });
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

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(500);
  }
}
