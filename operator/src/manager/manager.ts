import type { Logger } from 'pino';
import type { KubeClient } from '../kube/client.js';
import { objectKey, type ResourceType } from '../kube/resourcePath.js';
import { Controller, type ControllerOptions, type Reconciler } from './controller.js';
import { Informer, type InformerOptions, type KubeObject } from './informer.js';
import { LeaderElector, type LeaderElectionOptions } from './leaderElection.js';
import type { OperatorMetrics } from './metrics.js';
import { ReferenceIndex } from './references.js';

export interface ManagerOptions {
  /** Without it this process reconciles at once (tests, a single replica). */
  leaderElection?: LeaderElectionOptions;
  informerOptions?: InformerOptions;
  /** Called when leadership is lost after it was held; the process should exit. */
  onLostLeadership?: () => void;
}

/** Maps an event on a watched object to the keys of the objects to reconcile. */
export type KeyMapper<T extends KubeObject> = (object: T) => string[];

/**
 * Owns the informers (one per kind, shared), the controllers and leader election.
 * Every replica keeps its caches warm; only the leader runs the controllers.
 */
export class Manager {
  private readonly informers = new Map<string, Informer>();
  private readonly controllers: Controller[] = [];
  private readonly elector?: LeaderElector;
  private controllersRunning = false;

  constructor(
    readonly client: KubeClient,
    readonly metrics: OperatorMetrics,
    readonly log: Logger,
    private readonly options: ManagerOptions = {},
  ) {
    if (options.leaderElection) {
      this.elector = new LeaderElector(client, options.leaderElection, log, {
        onStartedLeading: () => this.startControllers(),
        onStoppedLeading: () => {
          void this.stopControllers();
          options.onLostLeadership?.();
        },
      });
    }
  }

  /** The shared informer of a kind; metadataOnly for kinds only watched for references (their data is never cached). */
  informer<T extends KubeObject>(type: ResourceType, metadataOnly = false): Informer<T> {
    const id = `${type.group}/${type.plural}${metadataOnly ? '#metadata' : ''}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer(this.client, type, this.metrics, this.log, {
        ...this.options.informerOptions,
        metadataOnly,
      });
      this.informers.set(id, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** A controller for objects of type primary: every change of one enqueues its key. */
  controller(
    name: string,
    primary: ResourceType,
    reconcile: Reconciler,
    options?: ControllerOptions,
  ): Controller {
    const controller = new Controller(
      name,
      reconcile,
      this.metrics,
      this.log.child({ controller: name }),
      options,
    );
    this.controllers.push(controller);
    this.watch(primary, controller);
    return controller;
  }

  /** Enqueues into controller the keys that map(object) returns for every change of type. Default: the object's own key. */
  watch<T extends KubeObject>(type: ResourceType, controller: Controller, map?: KeyMapper<T>): void {
    this.informer<T>(type).onEvent((_event, object) => {
      for (const key of map ? map(object) : [objectKey(object.metadata)]) controller.enqueue(key);
    });
  }

  /**
   * Re-reconciles the primaries that reference an object of type referenced whenever
   * it changes; references(primary) names the keys ("namespace/name") it uses. With
   * metadataOnly the referenced kind is cached without its data (Secrets).
   */
  watchReferences<P extends KubeObject>(
    primary: ResourceType,
    referenced: ResourceType,
    controller: Controller,
    references: (object: P) => string[],
    options: { metadataOnly?: boolean } = {},
  ): void {
    const index = new ReferenceIndex();
    this.informer<P>(primary).onEvent((event, object) => {
      const key = objectKey(object.metadata);
      if (event === 'DELETED') index.delete(key);
      else index.set(key, references(object));
    });
    this.informer(referenced, options.metadataOnly ?? false).onEvent((_event, object) => {
      for (const key of index.referrers(objectKey(object.metadata))) controller.enqueue(key);
    });
  }

  /** Caches synced: the replica can serve (and, as leader, reconcile). */
  private readonly stopHooks: (() => Promise<void>)[] = [];

  get ready(): boolean {
    return [...this.informers.values()].every((informer) => informer.hasSynced);
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : this.controllersRunning;
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.start()));
    this.log.info({ informers: [...this.informers.keys()] }, 'caches synced');
    if (this.elector) this.elector.start();
    else this.startControllers();
  }

  /** Runs hook when the manager stops (event streams and other long-lived helpers of controllers). */
  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    await this.stopControllers();
    await Promise.all(this.stopHooks.splice(0).map((hook) => hook()));
    await this.elector?.stop();
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  private startControllers(): void {
    if (this.controllersRunning) return;
    this.controllersRunning = true;
    // Queues filled from the caches' events while this replica waited; the workers start now.
    for (const controller of this.controllers) controller.start();
  }

  private async stopControllers(): Promise<void> {
    if (!this.controllersRunning) return;
    this.controllersRunning = false;
    await Promise.all(this.controllers.map((controller) => controller.stop()));
  }
}
