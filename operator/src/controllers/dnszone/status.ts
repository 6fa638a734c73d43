import type { DnsZone, DnsZoneStatus } from '../../api/types.generated.js';
import { setConditions, type ConditionUpdate } from '../../kube/conditions.js';

export interface ServerSerial {
  server: string;
  role: 'primary' | 'secondary';
  /** Absent when the server did not answer for the zone. */
  serial?: number;
  /** Why there is no serial, when there is none. */
  problem?: string;
}

/** What one reconcile found out about the zone. */
export interface ZoneObservation {
  /** Why the zone could not be (fully) served, if so; `invalid` problems leave the servers untouched. */
  problem?: { kind: 'invalid' | 'primary' | 'records'; reason: string; message: string };
  serials: ServerSerial[];
  tsigSecretName?: string;
}

/** RFC 1982 comparison of 32-bit serials: -1 when a is behind b, 1 when ahead, 0 when equal, undefined when undefined. */
export function compareSerials(a: number, b: number): -1 | 0 | 1 | undefined {
  if (a === b) return 0;
  const half = 2 ** 31;
  if ((a < b && b - a < half) || (a > b && a - b > half)) return -1;
  if ((a < b && b - a > half) || (a > b && a - b < half)) return 1;
  return undefined;
}

/** The status a DnsZone should have. Pure: the clock comes in as now. */
export function desiredZoneStatus(zone: DnsZone, observation: ZoneObservation, now: string): DnsZoneStatus {
  const previous = zone.status;
  const generation = zone.metadata.generation;
  const at = (update: ConditionUpdate): ConditionUpdate =>
    generation === undefined ? update : { ...update, observedGeneration: generation };
  const primary = observation.serials.find((s) => s.role === 'primary');
  const secondaries = observation.serials.filter((s) => s.role === 'secondary');
  const problem = observation.problem;

  const served = primary?.serial !== undefined;
  const zoneServed: ConditionUpdate =
    problem?.kind === 'primary'
      ? { type: 'ZoneServed', status: 'False', reason: problem.reason, message: problem.message }
      : served
        ? {
            type: 'ZoneServed',
            status: 'True',
            reason: 'Served',
            message: `${primary.server} serves serial ${primary.serial}`,
          }
        : {
            type: 'ZoneServed',
            status: 'False',
            reason: 'NotAnswering',
            message: `${primary?.server ?? 'the primary'} does not answer for the zone${primary?.problem ? `: ${primary.problem}` : ''}`,
          };

  const behind = secondaries.filter((s) => !served || s.serial === undefined || s.serial !== primary.serial);
  const inSync = served && behind.length === 0;
  const secondariesInSync: ConditionUpdate =
    secondaries.length === 0
      ? {
          type: 'SecondariesInSync',
          status: 'True',
          reason: 'NoSecondaries',
          message: 'the zone has no secondaries',
        }
      : inSync
        ? {
            type: 'SecondariesInSync',
            status: 'True',
            reason: 'InSync',
            message: `every secondary has serial ${primary?.serial}`,
          }
        : {
            type: 'SecondariesInSync',
            status: 'False',
            reason: 'SecondariesBehind',
            message: behind.map((s) => describeSecondary(s, primary?.serial)).join('; '),
          };

  const ready: ConditionUpdate = problem
    ? { type: 'Ready', status: 'False', reason: problem.reason, message: problem.message }
    : zoneServed.status !== 'True'
      ? { type: 'Ready', status: 'False', reason: zoneServed.reason, message: zoneServed.message }
      : !inSync
        ? { type: 'Ready', status: 'False', reason: 'SecondariesBehind', message: secondariesInSync.message }
        : {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: 'every server serves every record of the spec',
          };

  const conditions = setConditions(
    previous?.conditions,
    [at(zoneServed), at(secondariesInSync), at(ready)],
    now,
  );
  const previousSerials = new Map((previous?.serials ?? []).map((s) => [`${s.role} ${s.server}`, s]));
  const serials = observation.serials.map((s) => {
    const before = previousSerials.get(`${s.role} ${s.server}`);
    // checkTime moves only when the serial does: a reconcile that finds nothing new writes nothing.
    const checkTime = before && before.serial === s.serial && before.checkTime ? before.checkTime : now;
    return { server: s.server, role: s.role, ...(s.serial !== undefined && { serial: s.serial }), checkTime };
  });
  return {
    ...(generation !== undefined && { observedGeneration: generation }),
    serials,
    inSync,
    ...(observation.tsigSecretName && { tsigSecretName: observation.tsigSecretName }),
    conditions,
  };
}

function describeSecondary(secondary: ServerSerial, primarySerial: number | undefined): string {
  if (secondary.serial === undefined)
    return `${secondary.server} does not answer for the zone${secondary.problem ? ` (${secondary.problem})` : ''}`;
  if (primarySerial === undefined) return `${secondary.server} has serial ${secondary.serial}`;
  const order = compareSerials(secondary.serial, primarySerial);
  return `${secondary.server} has serial ${secondary.serial}, ${order === 1 ? 'ahead of' : 'behind'} the primary's ${primarySerial}`;
}
