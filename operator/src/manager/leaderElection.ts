import type { Logger } from 'pino';
import { ApiError, isConflict, isNotFound, type KubeClient } from '../kube/client.js';
import { LEASES, resourcePath } from '../kube/resourcePath.js';
import { decideLease, microTime, type LeaseRecord } from './leaseDecision.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseRecord;
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: acquire when the
 * holder's renewals stop for a lease duration (judged by local observation, not the
 * holder's clock), renew every retry period, give up after the renew deadline, release on stop.
 */
export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed?: { record: LeaseRecord; at: number };
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
    private readonly callbacks: { onStartedLeading(): void; onStoppedLeading(): void },
  ) {
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.read();
      if (lease && lease.spec.holderIdentity === this.options.identity) {
        const now = microTime(Date.now());
        await this.write({
          ...lease,
          spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
        });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not release the leader lease');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.tryAcquireOrRenew();
    } catch (error) {
      this.log.warn({ err: error, lease: this.options.name }, 'leader election request failed');
    }
    if (this.leading && Date.now() - this.lastRenew > this.renewDeadlineMs) {
      this.log.error({ lease: this.options.name }, 'could not renew the leader lease in time; stepping down');
      this.leading = false;
      this.callbacks.onStoppedLeading();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.retryPeriodMs);
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    const current = await this.read();
    if (
      current &&
      (!this.observed || JSON.stringify(this.observed.record) !== JSON.stringify(current.spec))
    ) {
      this.observed = { record: current.spec, at: now };
    }
    const decision = decideLease({
      identity: this.options.identity,
      current: current?.spec,
      observedAt: this.observed?.at ?? now,
      now,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
    });
    if (decision.action === 'wait') return;
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: decision.record,
    };
    try {
      if (current)
        await this.write({
          ...lease,
          metadata: { ...lease.metadata, resourceVersion: current.metadata.resourceVersion },
        });
      else await this.create(lease);
    } catch (error) {
      if (isConflict(error) || (error instanceof ApiError && error.status === 422)) return;
      throw error;
    }
    this.observed = { record: decision.record, at: now };
    this.lastRenew = now;
    if (!this.leading) {
      this.leading = true;
      this.log.info({ lease: this.options.name, identity: this.options.identity }, 'became the leader');
      this.callbacks.onStartedLeading();
    }
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.client.request<Lease>({
        method: 'GET',
        path: resourcePath(LEASES, { namespace: this.options.namespace, name: this.options.name }),
        timeoutMs: this.renewDeadlineMs / 2,
      });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private write(lease: Lease): Promise<Lease> {
    return this.client.request<Lease>({
      method: 'PUT',
      path: resourcePath(LEASES, { namespace: this.options.namespace, name: this.options.name }),
      body: lease,
      timeoutMs: this.renewDeadlineMs / 2,
    });
  }

  private create(lease: Lease): Promise<Lease> {
    return this.client.request<Lease>({
      method: 'POST',
      path: resourcePath(LEASES, { namespace: this.options.namespace }),
      body: lease,
      timeoutMs: this.renewDeadlineMs / 2,
    });
  }
}
