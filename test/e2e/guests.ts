// GuestDomain helpers for e2e tests.
import { kubectl } from '../integration/cluster.js';
import { BASE_IMAGE } from './environment.js';
import type { GuestDomain } from '../../operator/src/api/types.generated.js';

export function localHost(namespace: string) {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'VirtualHost',
    metadata: { name: 'local', namespace },
    spec: {
      provider: 'libvirt',
      libvirt: { uri: 'qemu:///system', hypervisor: 'qemu', storagePool: 'servirt' },
    },
  };
}

/** A TCP port of the guest forwarded to the host's loopback. */
export interface TcpForward {
  name: string;
  hostPort: number;
  guestPort: number;
}

/**
 * A guest with SSH and DNS (and any more TCP ports) forwarded to loopback. DNS is forwarded over
 * TCP and UDP on the same port: other guests send it NOTIFY (UDP) and transfer requests (TCP) at
 * 10.0.2.2:dnsPort.
 */
export function guestDomain(
  namespace: string,
  name: string,
  sshPort: number,
  dnsPort: number,
  more: TcpForward[] = [],
) {
  return {
    apiVersion: 'servirt.dev/v1alpha1',
    kind: 'GuestDomain',
    metadata: { name, namespace },
    spec: {
      virtualHostRef: { name: 'local', hypervisor: 'qemu' },
      vcpus: 1,
      memoryMiB: 512,
      disk: { baseImage: `${BASE_IMAGE}.qcow2` },
      network: {
        mode: 'user',
        hostForwards: [
          { name: 'ssh', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: sshPort, guestPort: 22 },
          { name: 'dns-tcp', protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: dnsPort, guestPort: 53 },
          { name: 'dns-udp', protocol: 'udp', hostAddress: '127.0.0.1', hostPort: dnsPort, guestPort: 53 },
          ...more.map((forward) => ({ ...forward, protocol: 'tcp', hostAddress: '127.0.0.1' })),
        ],
      },
      runStrategy: 'Always',
    },
  };
}

export async function apply(object: unknown): Promise<void> {
  const result = await kubectl(['apply', '-f', '-'], JSON.stringify(object));
  if (result.code !== 0) throw new Error(result.stderr);
}

export async function getGuest(namespace: string, name: string): Promise<GuestDomain | undefined> {
  const result = await kubectl(['get', 'gd', name, '-n', namespace, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as GuestDomain) : undefined;
}

export function condition(guest: GuestDomain | undefined, type: string) {
  return guest?.status?.conditions?.find((c) => c.type === type);
}

/**
 * Waits until every named guest is GuestReady, within the guests' own expected boot time (their
 * readinessProbe.expectedBootSeconds default, 900 s: TCG boots take ~500 s with a core busy). On
 * timeout the error names each guest's GuestReady reason and message.
 */
export async function untilGuestsReady(namespace: string, names: readonly string[]): Promise<void> {
  const timeoutMs = 900_000;
  const started = Date.now();
  let last: (GuestDomain | undefined)[] = [];
  for (let waitMs = 1000; ; waitMs = Math.min(waitMs * 1.5, 5000)) {
    last = await Promise.all(names.map((name) => getGuest(namespace, name)));
    if (last.every((guest) => condition(guest, 'GuestReady')?.status === 'True')) return;
    if (Date.now() - started > timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
  const said = names.map((name, i) => {
    const ready = condition(last[i], 'GuestReady');
    return `${name}: ${ready ? `${ready.reason}: ${ready.message}` : 'no GuestReady condition'}`;
  });
  throw new Error(`not all GuestReady within ${timeoutMs / 1000} s (${said.join('; ')})`);
}

/** A step timeout that fits untilGuestsReady. */
export const BOOT_STEP_TIMEOUT_MS = 960_000;
