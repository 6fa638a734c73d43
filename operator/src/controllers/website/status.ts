import type { WebSite, WebSiteStatus } from '../../api/types.generated.js';
import { setConditions, type ConditionUpdate } from '../../kube/conditions.js';

/** The site on one guest, as this reconcile found it. */
export interface GuestSite {
  name: string;
  /** Why the site could not be put on this guest, if so. */
  problem?: string;
  /** Content hash deployed on the guest (after this reconcile's changes). */
  contentHash?: string;
  /** Set when this reconcile reloaded Apache on the guest. */
  reloaded?: boolean;
  /** Whether the health check got the expected answer; its failure, if not. */
  serving: boolean;
  healthProblem?: string;
}

export interface SiteObservation {
  /** A spec or input problem: nothing was changed on any guest. */
  problem?: { reason: string; message: string };
  guests: GuestSite[];
  /** Host names the DnsZone cannot publish (outside its origin), or why nothing is published. */
  publishing?: { ok: true; zone: string } | { ok: false; reason: string; message: string };
}

/** The status a WebSite should have. Pure: the clock comes in as now. */
export function desiredSiteStatus(site: WebSite, observation: SiteObservation, now: string): WebSiteStatus {
  const generation = site.metadata.generation;
  const at = (update: ConditionUpdate): ConditionUpdate =>
    generation === undefined ? update : { ...update, observedGeneration: generation };
  const previous = new Map((site.status?.guests ?? []).map((g) => [g.name, g]));
  const { problem, guests, publishing } = observation;

  const undeployed = guests.filter((g) => g.problem);
  const deployed: ConditionUpdate = problem
    ? {
        type: 'Deployed',
        status: 'False',
        reason: problem.reason,
        message: `${problem.message}; the site is served as it was`,
      }
    : undeployed.length > 0
      ? {
          type: 'Deployed',
          status: 'False',
          reason: 'GuestsNotDeployed',
          message: undeployed.map((g) => `${g.name}: ${g.problem}`).join('; '),
        }
      : {
          type: 'Deployed',
          status: 'True',
          reason: 'Deployed',
          message: `configuration and content on ${guests.length} guests`,
        };
  const down = guests.filter((g) => !g.serving);
  const serving: ConditionUpdate =
    down.length === 0
      ? { type: 'Serving', status: 'True', reason: 'Serving', message: 'every guest answers with the site' }
      : {
          type: 'Serving',
          status: 'False',
          reason: 'NotServing',
          message: down.map((g) => `${g.name}: ${g.healthProblem ?? g.problem ?? 'no answer'}`).join('; '),
        };
  const updates = [at(deployed), at(serving)];
  if (publishing) {
    updates.push(
      at(
        publishing.ok
          ? {
              type: 'Published',
              status: 'True',
              reason: 'Published',
              message: `host names published in DnsZone ${publishing.zone}`,
            }
          : { type: 'Published', status: 'False', reason: publishing.reason, message: publishing.message },
      ),
    );
  }
  const failing = updates.find((u) => u.status !== 'True');
  updates.push(
    at(
      failing
        ? { type: 'Ready', status: 'False', reason: failing.reason, message: failing.message }
        : { type: 'Ready', status: 'True', reason: 'Ready', message: 'served from every guest' },
    ),
  );
  const conditions = setConditions(
    site.status?.conditions?.filter((c) => publishing || c.type !== 'Published'),
    updates,
    now,
  );
  const scheme = site.spec.tls ? 'https' : 'http';
  return {
    ...(generation !== undefined && { observedGeneration: generation }),
    url: `${scheme}://${(site.spec.hostNames[0] ?? '').replace(/^\*\./, 'www.')}/`,
    guests: guests.map((g) => {
      const before = previous.get(g.name);
      const lastReload = g.reloaded ? now : before?.lastReload;
      const contentHash = g.contentHash ?? before?.contentHash;
      return {
        name: g.name,
        serving: g.serving,
        ...(contentHash && { contentHash }),
        ...(lastReload && { lastReload }),
      };
    }),
    conditions,
  };
}
