import type { Benchmark, GuestDomain, VirtualHost } from '../../api/types.generated.js';
import type { PlannedTarget } from '../../bench/plan.js';
import { findCondition } from '../../kube/conditions.js';
import { reachableForward } from '../guestdomain/forwards.js';
import { sshEndpoint } from '../guestdomain/plan.js';
import { KEY_FIELDS, keySecretName } from '../guestdomain/sshKeys.js';

type SpecTarget = Benchmark['spec']['targets'][number];

/** An environment variable of the Job taken from a Secret key (a guest's SSH keys). */
export interface SecretEnv {
  name: string;
  secret: string;
  key: string;
}

export interface TargetPlan {
  targets: PlannedTarget[];
  secretEnv: SecretEnv[];
}

const DEFAULT_PORTS = { dns: 53, http: 80, cpu: 22, memory: 22 } as const;

/** What each target is for the runner: where to reach it, or why it cannot be measured. Pure. */
export function planTargets(
  benchmark: Benchmark,
  guestNamed: (name: string) => GuestDomain | undefined,
  hostNamed: (name: string) => VirtualHost | undefined,
): TargetPlan {
  const secretEnv: SecretEnv[] = [];
  const targets = benchmark.spec.targets.map((target, index): PlannedTarget => {
    const base = { name: target.name, kind: target.kind };
    switch (target.kind) {
      case 'native':
        return base;
      case 'url':
        return { ...base, url: target.url ?? '' };
      case 'address': {
        const endpoint = { host: target.address ?? '', port: target.port ?? defaultPort(benchmark) };
        return {
          ...base,
          endpoint,
          ...(urlFor(benchmark, endpoint) && { url: urlFor(benchmark, endpoint) }),
        };
      }
      case 'guestDomain': {
        const name = target.guestRef?.name ?? '';
        const guest = guestNamed(name);
        const host = guest ? hostNamed(guest.spec.virtualHostRef.name) : undefined;
        const problem = guestProblem(guest, name);
        if (problem) return { ...base, unavailable: problem };
        const found = guestTarget(benchmark, target, guest as GuestDomain, host, index, secretEnv);
        return 'reason' in found ? { ...base, unavailable: found } : { ...base, ...found };
      }
    }
  });
  return { targets, secretEnv };
}

function defaultPort(benchmark: Benchmark): number {
  return DEFAULT_PORTS[benchmark.spec.type];
}

function urlFor(benchmark: Benchmark, endpoint: { host: string; port: number }): string | undefined {
  if (benchmark.spec.type !== 'http') return undefined;
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${endpoint.port}${benchmark.spec.http?.path ?? '/'}`;
}

function guestProblem(guest: GuestDomain | undefined, name: string) {
  if (!guest) return { reason: 'GuestNotFound', message: `GuestDomain ${name} does not exist` };
  if (guest.metadata.deletionTimestamp)
    return { reason: 'GuestDeleting', message: `GuestDomain ${name} is being deleted` };
  if (findCondition(guest.status?.conditions, 'GuestReady')?.status !== 'True')
    return { reason: 'GuestNotReady', message: `GuestDomain ${name} is not GuestReady` };
  return undefined;
}

function guestTarget(
  benchmark: Benchmark,
  target: SpecTarget,
  guest: GuestDomain,
  host: VirtualHost | undefined,
  index: number,
  secretEnv: SecretEnv[],
): Partial<PlannedTarget> | { reason: string; message: string } {
  const name = guest.metadata.name ?? '';
  const uri = host?.spec.libvirt?.uri ?? '';
  if (benchmark.spec.type === 'cpu' || benchmark.spec.type === 'memory') {
    const ssh = sshEndpoint(guest, uri);
    if (!ssh)
      return {
        reason: 'GuestUnreachable',
        message: `GuestDomain ${name} has no SSH forward on a local host`,
      };
    const privateKeyEnv = `SERVIRT_TARGET_${index}_CLIENT_KEY`;
    const hostKeyEnv = `SERVIRT_TARGET_${index}_HOST_KEY`;
    secretEnv.push(
      { name: privateKeyEnv, secret: keySecretName(name), key: KEY_FIELDS.clientPrivate },
      { name: hostKeyEnv, secret: keySecretName(name), key: KEY_FIELDS.hostPublic },
    );
    return { ssh: { ...ssh, username: 'root', privateKeyEnv, hostKeyEnv } };
  }
  const guestPort = target.port ?? defaultPort(benchmark);
  const endpoint = reachable(guest, uri, guestPort);
  if (!endpoint)
    return {
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} has neither a forward of port ${guestPort} on a local host nor an address`,
    };
  const url = urlFor(benchmark, endpoint);
  return { endpoint, ...(url && { url }) };
}

/**
 * A guest port as the Job reaches it: the host's forward (a loopback one only on a local host,
 * where the Job must then run too), else the guest's address.
 */
function reachable(
  guest: GuestDomain,
  uri: string,
  guestPort: number,
): { host: string; port: number } | undefined {
  const forward = reachableForward(guest, uri, guestPort);
  if (forward) return forward;
  const address = guest.status?.addresses?.find(
    (a) => a.type === 'InternalIP' || a.type === 'ExternalIP',
  )?.address;
  return address ? { host: address, port: guestPort } : undefined;
}
