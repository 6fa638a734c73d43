// What a run's Job reads: the queries (given in a ConfigMap, or made from the zone's records) and,
// for a native target, the zone file.
import type { Benchmark, DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import { QUERIES_KEY, ZONE_KEY } from '../../bench/plan.js';
import { queriesFromRecords } from '../../bench/tools/dnsperf.js';
import { initialZoneFile } from '../../guest/bind/zoneFiles.js';
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { CONFIG_MAPS, resourcePath } from '../../kube/resourcePath.js';
import { desiredZone, soaRecord } from '../dnszone/desired.js';

export type RunInput =
  | { kind: 'ready'; data: Record<string, string>; origin?: string }
  | { kind: 'problem'; reason: string; message: string };

export interface InputSources {
  client: KubeClient;
  zoneNamed(name: string): DnsZone | undefined;
  zonesInNamespace(namespace: string): DnsZone[];
  guestNamed(name: string): GuestDomain | undefined;
  webSitesInNamespace(namespace: string): WebSite[];
}

export async function runInput(benchmark: Benchmark, sources: InputSources): Promise<RunInput> {
  if (benchmark.spec.type !== 'dns') return { kind: 'ready', data: {} };
  const namespace = benchmark.metadata.namespace ?? '';
  const data: Record<string, string> = {};
  let origin: string | undefined;
  const zoneRef = benchmark.spec.dns?.zoneRef?.name;
  if (zoneRef) {
    const zone = sources.zoneNamed(zoneRef);
    if (!zone)
      return { kind: 'problem', reason: 'ZoneNotFound', message: `DnsZone ${zoneRef} does not exist` };
    const plan = desiredZone(
      zone,
      sources.guestNamed,
      sources.zonesInNamespace(namespace),
      sources.webSitesInNamespace(namespace),
    );
    if (plan.kind === 'invalid')
      return { kind: 'problem', reason: 'ZoneInvalid', message: `DnsZone ${zoneRef}: ${plan.message}` };
    origin = plan.zone.origin;
    data[ZONE_KEY] = initialZoneFile(origin, soaRecord(plan.zone.soa, origin, 1), plan.zone.records);
    data[QUERIES_KEY] = queriesFromRecords(origin, plan.zone.records);
  }
  const queriesRef = benchmark.spec.dns?.queriesConfigMapRef;
  if (queriesRef) {
    const key = queriesRef.key ?? QUERIES_KEY;
    const configMap = await sources.client
      .request<{ data?: Record<string, string> }>({
        method: 'GET',
        path: resourcePath(CONFIG_MAPS, { namespace, name: queriesRef.name }),
      })
      .catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
    const queries = configMap?.data?.[key];
    if (queries === undefined)
      return {
        kind: 'problem',
        reason: 'QueriesNotFound',
        message: `ConfigMap ${queriesRef.name} ${configMap ? `has no key ${key}` : 'does not exist'}`,
      };
    data[QUERIES_KEY] = queries;
  }
  if (!data[QUERIES_KEY]?.trim())
    return { kind: 'problem', reason: 'NoQueries', message: 'there are no queries to send' };
  return { kind: 'ready', data, ...(origin && { origin: origin.replace(/\.$/, '') }) };
}
