import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client.js';
import { EVENTS, resourcePath } from './resourcePath.js';
import type { KubeObject } from '../manager/snapshotDiff.js';

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Records a Kubernetes Event about object (kubectl describe shows it). Best effort: a failure is returned, not thrown. */
export async function recordEvent(
  client: KubeClient,
  component: string,
  object: KubeObject,
  note: EventNote,
): Promise<Error | undefined> {
  const now = new Date().toISOString();
  const namespace = object.metadata.namespace ?? 'default';
  try {
    await client.request({
      method: 'POST',
      path: resourcePath(EVENTS, { namespace }),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type: note.type,
        reason: note.reason,
        message: note.message.slice(0, 1024),
        source: { component },
        reportingComponent: `servirt.dev/${component}`,
        reportingInstance: process.env.POD_NAME ?? 'servirt',
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
    return undefined;
  } catch (error) {
    return error as Error;
  }
}
