// The GuestDomain and VirtualHost controllers on a KubeVirt VirtualHost, against a real API server
// that has KubeVirt v1.9.0's CRDs with schemas derived from its OpenAPI spec: the API server itself
// validates every VirtualMachine the operator writes, and so does the spec's v1.VirtualMachine
// definition. Kubernetes' real garbage collector runs, so owner references are tested for real.
// Nothing boots here (no virt-controller): the e2e test does that with a stand-in.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { installKubeVirtCrds } from '../../../hack/cluster/crds.js';
import { startGarbageCollector } from '../../../hack/cluster/garbageCollector.js';
import type { GuestDomain } from '../../../operator/src/api/types.generated.js';
import { registerGuestDomainController } from '../../../operator/src/controllers/guestdomain/register.js';
import { kubectl, testKubeconfig } from '../cluster.js';
import { clientFor, eventually, log } from '../runtime/harness.js';
import { registerVirtualHostController } from '../../../operator/src/controllers/virtualhost/register.js';
import type { KubeClient } from '../../../operator/src/kube/client.js';
import { Manager } from '../../../operator/src/manager/manager.js';
import { OperatorMetrics } from '../../../operator/src/manager/metrics.js';
import { validateAgainstSpec } from './specValidation.js';

jest.setTimeout(120_000);

const NAMESPACE = 'kubevirt-guests';

const getJson = async <T>(...args: string[]): Promise<T | undefined> => {
  const result = await kubectl(['get', ...args, '-n', NAMESPACE, '-o', 'json']);
  return result.code === 0 ? (JSON.parse(result.stdout) as T) : undefined;
};
const apply = async (object: unknown) => {
  const result = await kubectl(['apply', '-f', '-'], JSON.stringify(object));
  if (result.code !== 0) throw new Error(result.stderr);
};
const guest = (name: string, spec: Partial<GuestDomain['spec']> = {}) => ({
  apiVersion: 'servirt.dev/v1alpha1',
  kind: 'GuestDomain',
  metadata: { name, namespace: NAMESPACE },
  spec: {
    virtualHostRef: { name: 'kv' },
    vcpus: 1,
    memoryMiB: 1024,
    disk: { baseImage: 'registry.example/servirt/debian-12:0.1.0' },
    ...spec,
  },
});
const condition = (object: GuestDomain | undefined, type: string) =>
  object?.status?.conditions?.find((c) => c.type === type);

describe('GuestDomains on a KubeVirt VirtualHost', () => {
  let manager: Manager;
  let client: KubeClient;
  let gc: { stop(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    await installKubeVirtCrds(testKubeconfig());
    dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-gc-'));
    gc = await startGarbageCollector(testKubeconfig(), dir);
    await kubectl(['create', 'namespace', NAMESPACE]);
    const metrics = new OperatorMetrics(false);
    client = await clientFor(testKubeconfig(), metrics);
    manager = new Manager(client, metrics, log, {});
    registerVirtualHostController(manager);
    registerGuestDomainController(manager);
    await manager.start();
    await apply({
      apiVersion: 'servirt.dev/v1alpha1',
      kind: 'VirtualHost',
      metadata: { name: 'kv', namespace: NAMESPACE },
      spec: { provider: 'kubevirt', kubevirt: {} },
    });
  });

  afterAll(async () => {
    await manager?.stop();
    client?.close();
    await gc?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('marks the VirtualHost Ready: the cluster serves the KubeVirt API', async () => {
    await eventually(async () => {
      const host = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'vh',
        'kv',
      );
      return host?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    }, 30_000);
  });

  it('writes a VirtualMachine the API server and the v1.VirtualMachine definition accept, with its cloud-init Secret', async () => {
    await apply(guest('kv1'));
    await eventually(async () => (await getJson('secret', 'kv1-cloudinit')) !== undefined, 30_000);
    const vm = (await getJson<Record<string, unknown>>('vm', 'kv1')) as {
      metadata: { ownerReferences?: { kind: string; name: string }[]; uid: string };
      spec: { runStrategy?: string; running?: boolean };
    };
    expect(validateAgainstSpec(vm, 'v1.VirtualMachine')).toEqual([]);
    expect(vm.spec.runStrategy).toBe('Always');
    expect(vm.spec.running).toBeUndefined();
    expect(vm.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'GuestDomain', name: 'kv1' }),
    ]);
    // The operator's writes went through the API server's schema: strict server-side validation too.
    const strict = await kubectl(
      ['apply', '--dry-run=server', '--validate=strict', '-f', '-'],
      JSON.stringify({ ...vm, metadata: { name: 'kv1-copy', namespace: NAMESPACE } }),
    );
    expect(strict.stderr).toBe('');
    const secret = await getJson<{
      data: Record<string, string>;
      metadata: { ownerReferences: { kind: string; uid: string }[] };
    }>('secret', 'kv1-cloudinit');
    expect(Object.keys(secret?.data ?? {}).sort()).toEqual(['networkdata', 'userdata']);
    expect(Buffer.from(secret?.data.userdata ?? '', 'base64').toString()).toMatch(/^#cloud-config\n/);
    expect(secret?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'VirtualMachine', uid: vm.metadata.uid }),
    ]);
    const current = await getJson<GuestDomain>('gd', 'kv1');
    expect(condition(current, 'Defined')?.status).toBe('True');
    expect(condition(current, 'Running')?.message).toMatch(/KubeVirt reports/);
  });

  it('follows runStrategy Halted onto the VirtualMachine', async () => {
    await apply(guest('kv1', { runStrategy: 'Halted' }));
    await eventually(
      async () =>
        (await getJson<{ spec: { runStrategy: string } }>('vm', 'kv1'))?.spec.runStrategy === 'Halted',
      30_000,
    );
  });

  it('refuses user-mode networking on KubeVirt with a condition, and writes no VirtualMachine', async () => {
    await apply(guest('kv-user', { network: { mode: 'user' } }));
    await eventually(
      async () =>
        condition(await getJson<GuestDomain>('gd', 'kv-user'), 'Defined')?.reason ===
        'NetworkModeNotSupported',
      30_000,
    );
    expect(await getJson('vm', 'kv-user')).toBeUndefined();
  });

  it('deletes the VirtualMachine and, through the garbage collector, its Secret with the GuestDomain', async () => {
    const deleted = await kubectl(['delete', 'gd', 'kv1', 'kv-user', '-n', NAMESPACE, '--timeout=60s']);
    expect(deleted.code).toBe(0);
    expect(await getJson('vm', 'kv1')).toBeUndefined();
    await eventually(async () => (await getJson('secret', 'kv1-cloudinit')) === undefined, 60_000);
  });
});
