// GuestDomain objects for processes that stand in for guests in integration tests: a real sshd
// and a real server (named, apache2) on loopback ports. The objects get the status the
// GuestDomain controller gives a booted guest (GuestReady) and the key Secret it makes, so the
// controllers under test reach the processes exactly as they reach VMs.
import type { GuestDomain } from '../../../operator/src/api/types.generated.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath, SECRETS } from '../../../operator/src/kube/resourcePath.js';
import { GUEST_DOMAINS } from '../../../operator/src/controllers/guestdomain/reconciler.js';
import { VIRTUAL_HOSTS } from '../../../operator/src/controllers/virtualhost/reconciler.js';
import { forwardedEndpoints } from '../../../operator/src/guest/access/endpoints.js';
import { hostForwardAddresses } from '../../../operator/src/guest/access/forwards.js';

export interface StandInSsh {
  port: number;
  hostPrivateKey: string;
  hostPublicKey: string;
  clientPrivateKey: string;
  clientPublicKey: string;
}

/** guest port -> loopback port of the process standing in, per protocol. */
export interface StandInForward {
  name: string;
  protocol: 'tcp' | 'udp';
  hostPort: number;
  guestPort: number;
}

/** The namespace and the local VirtualHost the stand-in guests are on. */
export async function createStandInNamespace(client: KubeClient, namespace: string): Promise<void> {
  await client.request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: namespace } },
  });
  await client.request({
    method: 'POST',
    path: resourcePath(VIRTUAL_HOSTS, { namespace }),
    body: {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'VirtualHost',
      metadata: { name: 'local', namespace },
      spec: { provider: 'libvirt', libvirt: { uri: 'qemu:///system', hypervisor: 'qemu' } },
    },
  });
}

export async function createStandInGuest(
  client: KubeClient,
  namespace: string,
  name: string,
  ssh: StandInSsh,
  forwards: StandInForward[],
): Promise<GuestDomain> {
  const guest = await client.request<GuestDomain>({
    method: 'POST',
    path: resourcePath(GUEST_DOMAINS, { namespace }),
    body: {
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'GuestDomain',
      metadata: { name, namespace },
      spec: {
        virtualHostRef: { name: 'local' },
        vcpus: 1,
        memoryMiB: 512,
        disk: { baseImage: 'debian-12-servirt.qcow2' },
        network: {
          mode: 'user',
          hostForwards: [
            { name: 'ssh', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: ssh.port, guestPort: 22 },
            ...forwards.map((f) => ({ ...f, hostAddress: '127.0.0.1' })),
          ],
        },
      },
    },
  });
  const now = new Date().toISOString();
  const hostForwards = guest.spec.network?.hostForwards ?? [];
  // The GuestDomain controller's endpoints for these forwards, except that the stand-ins reach
  // each other on loopback, not through a VM's view of its host (10.0.2.2).
  const endpoints = forwardedEndpoints(hostForwards, 'qemu:///system').map((e) => ({
    ...e,
    ...(e.fromOperator && { fromGuests: e.fromOperator }),
  }));
  await client.request({
    method: 'PATCH',
    path: `${resourcePath(GUEST_DOMAINS, { namespace, name })}/status`,
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        phase: 'Running',
        addresses: hostForwardAddresses(hostForwards),
        endpoints,
        conditions: ['Defined', 'Running', 'GuestReady', 'Ready'].map((type) => ({
          type,
          status: 'True',
          reason: 'StandIn',
          message: 'processes on loopback behind a real sshd stand for this guest',
          lastTransitionTime: now,
        })),
      },
    },
  });
  await client.request({
    method: 'POST',
    path: resourcePath(SECRETS, { namespace }),
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `${name}-ssh`,
        namespace,
        ownerReferences: [
          {
            apiVersion: 'servirt.dev/v1alpha1',
            kind: 'GuestDomain',
            name,
            uid: guest.metadata.uid,
            controller: true,
          },
        ],
      },
      stringData: {
        host_ed25519: ssh.hostPrivateKey,
        'host_ed25519.pub': ssh.hostPublicKey,
        client_ed25519: ssh.clientPrivateKey,
        'client_ed25519.pub': ssh.clientPublicKey,
      },
    },
  });
  return guest;
}
