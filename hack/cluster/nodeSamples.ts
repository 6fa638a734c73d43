// The sample resources of config/samples as they are applied to a cluster with a local node
// (hack/cluster/node.ts), where the operator runs as a pod: the VirtualHost reaches this
// machine's libvirtd over SSH at the root side of the node's veth pair, with a Secret of the
// operator's client key and the pinned host key, and the guests' ports are forwarded on that
// address, which pods (the operator's, benchmark Jobs') reach and nothing outside this machine
// does. Pure but for reading the sample files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoDir } from './tools.js';

export interface NodeSampleOptions {
  /** The root side of the node's veth pair (LocalNode.place.hostAddress). */
  hostAddress: string;
  /** The port of the sshd on hostAddress that runs virt-ssh-helper for qemu:///system. */
  sshPort: number;
  /** The operator's client key (OpenSSH format) and the sshd's host public key (`ssh-ed25519 …`). */
  clientPrivateKey: string;
  hostPublicKey: string;
}

export const NODE_SSH_SECRET = 'local-libvirt-ssh';

type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

/** Every sample but the Benchmark, then the Benchmark: in the order to apply them. */
export function readSamples(): { servers: Manifest[]; benchmarks: Manifest[] } {
  const dir = path.join(repoDir, 'config/samples');
  const manifests = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJS()))
    .filter((m): m is Manifest => Boolean(m?.kind));
  return {
    servers: manifests.filter((m) => m.kind !== 'Benchmark'),
    benchmarks: manifests.filter((m) => m.kind === 'Benchmark'),
  };
}

/** The SSH Secret and the samples rewritten for the node (see the top of the file). */
export function samplesForNode(samples: Manifest[], options: NodeSampleOptions): unknown[] {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: NODE_SSH_SECRET },
    type: 'Opaque',
    stringData: {
      'ssh-privatekey': options.clientPrivateKey,
      known_hosts: `[${options.hostAddress}]:${options.sshPort} ${options.hostPublicKey.trim()}\n`,
    },
  };
  return [secret, ...samples.map((manifest) => forNode(manifest, options))];
}

function forNode(manifest: Manifest, options: NodeSampleOptions): Manifest {
  const copy = structuredClone(manifest);
  if (copy.kind === 'VirtualHost') {
    const libvirt = copy.spec.libvirt as Record<string, unknown>;
    libvirt.uri = `qemu+ssh://root@${options.hostAddress}:${options.sshPort}/system`;
    libvirt.sshKeySecretRef = { name: NODE_SSH_SECRET };
  }
  if (copy.kind === 'GuestDomain') {
    const network = copy.spec.network as { hostForwards?: { hostAddress?: string }[] } | undefined;
    for (const forward of network?.hostForwards ?? []) forward.hostAddress = options.hostAddress;
  }
  return copy;
}
