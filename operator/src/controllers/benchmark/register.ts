import type { Benchmark, DnsZone, GuestDomain, WebSite } from '../../api/types.generated.js';
import {
  DnsZoneResource,
  WebSiteResource,
  GuestDomainResource as GUEST_DOMAINS,
} from '../../api/types.generated.js';
import { BENCHMARK_LABEL } from '../../bench/plan.js';
import { reportHtml } from '../../bench/report/html.js';
import { CONFIG_MAPS, JOBS } from '../../kube/resourcePath.js';
import type { Controller } from '../../manager/controller.js';
import type { KubeObject } from '../../manager/informer.js';
import type { Manager } from '../../manager/manager.js';
import { BENCHMARKS, CONTROLLER_NAME, benchmarkReconciler, type JobObject } from './reconciler.js';
import { reportInputOf } from './report.js';

export interface BenchmarkControllerOptions {
  concurrency?: number;
  /** The image whose runner (`servirt bench run`) the Jobs run: the operator's own. */
  runnerImage: string;
}

/** Adds the Benchmark controller; returns it with the report page's source for the HTTP server. */
export function registerBenchmarkController(
  manager: Manager,
  options: BenchmarkControllerOptions,
): { controller: Controller; benchmarkReport(namespace: string, name: string): Promise<string | undefined> } {
  const benchmarks = manager.informer<Benchmark>(BENCHMARKS);
  const reconcile = benchmarkReconciler({
    client: manager.client,
    benchmarks,
    jobs: manager.informer<JobObject>(JOBS),
    configMaps: manager.informer<KubeObject>(CONFIG_MAPS, true),
    guests: manager.informer<GuestDomain>(GUEST_DOMAINS),
    zones: manager.informer<DnsZone>(DnsZoneResource),
    sites: manager.informer<WebSite>(WebSiteResource),
    runnerImage: options.runnerImage,
    log: manager.log.child({ controller: CONTROLLER_NAME }),
  });
  const controller = manager.controller(CONTROLLER_NAME, BENCHMARKS, reconcile, {
    concurrency: options.concurrency ?? 2,
  });
  const owner = (object: KubeObject) => {
    const name = object.metadata.labels?.[BENCHMARK_LABEL];
    return name ? [`${object.metadata.namespace}/${name}`] : [];
  };
  manager.watch<KubeObject>(JOBS, controller, owner);
  manager.informer<KubeObject>(CONFIG_MAPS, true).onEvent((_event, object) => {
    for (const key of owner(object)) controller.enqueue(key);
  });
  return {
    controller,
    benchmarkReport: async (namespace, name) => {
      const benchmark = benchmarks.get(`${namespace}/${name}`);
      return benchmark
        ? reportHtml(reportInputOf(benchmark, benchmark.status, new Date().toISOString()))
        : undefined;
    },
  };
}
