import type { Benchmark, GuestDomain } from '../../api/types.generated.js';
import type { PlannedTarget } from '../../bench/plan.js';
import { operatorEndpoint, operatorEndpointForPort } from '../../guest/access/endpoints.js';
import { KEY_FIELDS, keySecretName } from '../../guest/access/sshKeys.js';
import { usableGuest } from '../../guest/access/usable.js';

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
        const use = usableGuest(guest, name);
        if (use.kind === 'problem')
          return { ...base, unavailable: { reason: use.reason, message: use.message } };
        const found = guestTarget(benchmark, target, use.guest, index, secretEnv);
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

function guestTarget(
  benchmark: Benchmark,
  target: SpecTarget,
  guest: GuestDomain,
  index: number,
  secretEnv: SecretEnv[],
): Partial<PlannedTarget> | { reason: string; message: string } {
  const name = guest.metadata.name ?? '';
  if (benchmark.spec.type === 'cpu' || benchmark.spec.type === 'memory') {
    const ssh = operatorEndpoint(guest, 'ssh');
    if (!ssh)
      return {
        reason: 'GuestUnreachable',
        message: `GuestDomain ${name} publishes no SSH endpoint the operator can reach`,
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
  const endpoint = operatorEndpointForPort(guest, guestPort);
  if (!endpoint)
    return {
      reason: 'GuestUnreachable',
      message: `GuestDomain ${name} publishes no endpoint for port ${guestPort} and has no address of its own`,
    };
  const url = urlFor(benchmark, endpoint);
  return { endpoint, ...(url && { url }) };
}
