import type { Logger } from 'pino';
import { isGone, type KubeClient } from '../kube/client.js';
import { objectKey, resourcePath, type ResourceType } from '../kube/resourcePath.js';
import type { OperatorMetrics } from './metrics.js';
import { diffSnapshots, type KubeObject } from './snapshotDiff.js';

export type { KubeObject };
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type EventHandler<T extends KubeObject> = (type: EventType, object: T, previous?: T) => void;

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  /** The API server ends each watch after a random time in this range (seconds), spreading reconnects. */
  watchTimeoutSeconds?: [number, number];
  /** A watch that delivers nothing (not even a bookmark) for this long is restarted. */
  silenceLimitMs?: number;
  pageSize?: number;
  /** Cache only metadata (PartialObjectMetadata): for referenced objects such as Secrets, whose data the cache must not hold. */
  metadataOnly?: boolean;
}

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
const METADATA_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

interface WatchLine {
  type: EventType | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

class WatchGone extends Error {}

/**
 * List, then watch from the list's resourceVersion with bookmarks; relist on 410 Gone,
 * reconnect with jittered backoff, restart a watch that went silent. Keeps a cache
 * without managedFields; handlers get only real changes (a relist emits the difference).
 */
export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly options: Required<Omit<InformerOptions, 'namespace' | 'labelSelector' | 'metadataOnly'>> &
    InformerOptions;
  private resourceVersion = '';
  private synced = false;
  private running = false;
  private currentWatch?: AbortController;
  private loop?: Promise<void>;
  private lastHeard = Date.now();
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: KubeClient,
    readonly type: ResourceType,
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
    options: InformerOptions = {},
  ) {
    this.options = { watchTimeoutSeconds: [300, 600], silenceLimitMs: 150_000, pageSize: 500, ...options };
    metrics.lastEventAge.set({ resource: type.plural }, 0);
  }

  onEvent(handler: EventHandler<T>): void {
    this.handlers.push(handler);
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  /** Starts the loop; resolves once the first list is in the cache. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.loop = this.run();
    }
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.currentWatch?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let needList = true;
    while (this.running) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        const reason = await this.watchOnce();
        failures = 0;
        this.metrics.watchRestarts.inc({ resource: this.type.plural, reason });
      } catch (error) {
        if (!this.running) break;
        if (error instanceof WatchGone || isGone(error)) {
          needList = true;
          this.metrics.watchRestarts.inc({ resource: this.type.plural, reason: 'gone' });
          this.log.info({ resource: this.type.plural }, 'watch too old (410 Gone): relisting');
          continue;
        }
        failures++;
        this.metrics.watchRestarts.inc({ resource: this.type.plural, reason: 'error' });
        const delay = jitter(Math.min(30_000, 500 * 2 ** Math.min(failures, 10)));
        this.log.warn({ err: error, resource: this.type.plural, retryInMs: delay }, 'list/watch failed');
        await sleep(delay, () => !this.running);
      }
    }
  }

  private async relist(): Promise<void> {
    const fresh = new Map<string, T>();
    let continueToken: string | undefined;
    do {
      const page = await this.client.request<{
        metadata: { resourceVersion: string; continue?: string };
        items: T[] | null;
      }>({
        method: 'GET',
        path: resourcePath(this.type, { namespace: this.options.namespace }),
        query: {
          limit: this.options.pageSize,
          continue: continueToken,
          labelSelector: this.options.labelSelector,
        },
        timeoutMs: 60_000,
        ...(this.options.metadataOnly && { accept: METADATA_LIST }),
      });
      for (const item of page.items ?? []) {
        const object = stripManagedFields(item);
        fresh.set(objectKey(object.metadata), object);
      }
      continueToken = page.metadata.continue || undefined;
      this.resourceVersion = page.metadata.resourceVersion;
    } while (continueToken);
    this.metrics.relists.inc({ resource: this.type.plural });
    this.heard();
    const changes = diffSnapshots(this.cache, fresh);
    this.cache.clear();
    for (const [key, object] of fresh) this.cache.set(key, object);
    for (const change of changes) this.emit(change.type, change.object, change.previous);
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
  }

  /** One watch request; resolves with why it ended normally, throws WatchGone or the transport error. */
  private async watchOnce(): Promise<string> {
    const [min, max] = this.options.watchTimeoutSeconds;
    const controller = new AbortController();
    this.currentWatch = controller;
    let endReason = 'timeout';
    let gone = false;
    const watchdog = setInterval(
      () => {
        this.metrics.lastEventAge.set({ resource: this.type.plural }, (Date.now() - this.lastHeard) / 1000);
        if (Date.now() - this.lastHeard > this.options.silenceLimitMs) {
          endReason = 'silent';
          controller.abort();
        }
      },
      Math.min(1000, this.options.silenceLimitMs / 4),
    );
    this.heard();
    try {
      await this.client.stream(
        {
          method: 'GET',
          path: resourcePath(this.type, { namespace: this.options.namespace }),
          query: {
            watch: true,
            allowWatchBookmarks: true,
            resourceVersion: this.resourceVersion,
            timeoutSeconds: Math.round(min + Math.random() * (max - min)),
            labelSelector: this.options.labelSelector,
          },
          signal: controller.signal,
          ...(this.options.metadataOnly && { accept: METADATA_WATCH }),
        },
        (line) => {
          this.heard();
          if (gone) return;
          const event = JSON.parse(line) as WatchLine;
          if (event.type === 'ERROR') {
            gone = event.object.code === 410;
            if (!gone) throw new Error(`watch error: ${event.object.message ?? line}`);
            controller.abort();
            return;
          }
          this.apply(event);
        },
      );
    } finally {
      clearInterval(watchdog);
    }
    if (gone) throw new WatchGone();
    if (!this.running) endReason = 'stopped';
    return endReason;
  }

  private apply(event: WatchLine): void {
    const object = stripManagedFields(event.object as T);
    if (object.metadata.resourceVersion) this.resourceVersion = object.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(object.metadata);
    const previous = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      this.emit('DELETED', object, previous);
    } else {
      this.cache.set(key, object);
      this.emit(previous ? 'MODIFIED' : 'ADDED', object, previous);
    }
  }

  private emit(type: EventType, object: T, previous?: T): void {
    for (const handler of this.handlers) {
      try {
        handler(type, object, previous);
      } catch (error) {
        this.log.error({ err: error, resource: this.type.plural }, 'event handler failed');
      }
    }
  }

  private heard(): void {
    this.lastHeard = Date.now();
    this.metrics.lastEventAge.set({ resource: this.type.plural }, 0);
  }
}

function stripManagedFields<T extends KubeObject>(object: T): T {
  if (object.metadata.managedFields) delete object.metadata.managedFields;
  return object;
}

const jitter = (ms: number) => Math.round(ms * (0.5 + Math.random()));

async function sleep(ms: number, cancelled: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !cancelled())
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, ms)));
}
