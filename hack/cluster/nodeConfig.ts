// What a local node's components (hack/cluster/node.ts) are configured with: pure functions.
import path from 'node:path';
import { stringify } from 'yaml';
import type { NodePlace } from './node.js';

export const POD_SUBNET = '10.244.0.0/24';
export const ENDPOINTS_OWNER_LABEL = 'endpointslice.kubernetes.io/managed-by';

export function cniConfig() {
  return {
    cniVersion: '1.0.0',
    name: 'servirt-node',
    plugins: [
      {
        type: 'bridge',
        bridge: 'servirt0',
        isGateway: true,
        // Pods reach the root namespace's side of the veth (the API server's forwarder, guests'
        // ports) as the node's address: the root namespace has no route to the pod subnet.
        ipMasq: true,
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
  # Pods' network namespaces under the state dir (the node's run dir), not the host's /run/netns.
  netns_mounts_under_state_dir = true
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

/** kube-proxy in iptables mode inside the node's network namespace. */
export function kubeProxyConfig(nodeName: string, kubeconfig: string): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    hostnameOverride: nodeName,
    clusterCIDR: POD_SUBNET,
    clientConnection: { kubeconfig },
    // Pods on one bridge reach each other's Services only when the reply comes back through
    // the node's stack, not straight across the bridge.
    iptables: { masqueradeAll: true },
    // The conntrack table's size is the host's, not the namespace's: leave it alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    // Loopback of the node's network namespace: nothing of the host's.
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
  });
}

/**
 * The `kubernetes` Service's endpoints (the API server writes none: hack/cluster/controlPlane.ts)
 * as the node's forwarder to the loopback API server.
 */
export function apiServerEndpoints(address: string, port: number) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: {
        'kubernetes.io/service-name': 'kubernetes',
        [ENDPOINTS_OWNER_LABEL]: 'servirt-local-node',
      },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}
