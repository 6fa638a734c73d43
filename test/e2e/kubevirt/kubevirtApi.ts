// The stand-in's reads and writes of VirtualMachines and VirtualMachineInstances, as
// virt-controller and virt-handler make them (merge patches; VM status only when it changed).
import { isConflict, isNotFound, type KubeClient } from '../../../operator/src/kube/client.js';
import { resourcePath } from '../../../operator/src/kube/resourcePath.js';
import {
  runStrategyOf,
  VIRTUAL_MACHINE_INSTANCES,
  VIRTUAL_MACHINES,
  type InstanceSpec,
  type List,
  type VirtualMachine,
  type VirtualMachineInstance,
} from './kubevirtObjects.js';
import { NODE_NAME, ReadyConditions, vmStatusBody, type VmStatusInput } from './kubevirtStatus.js';
import type { VirtualMachineInstanceStatus } from '../../../operator/src/providers/kubevirt/types.js';

/** On VMIs a stand-in created: its pid, so that several stand-ins can share an API server. */
const OWNER_ANNOTATION = 'servirt.dev/stand-in-kubevirt';
const MERGE_PATCH = 'application/merge-patch+json';
const LIST_TIMEOUT_MS = 30_000;

export const keyOf = (o: { metadata: { namespace: string; name: string } }) =>
  `${o.metadata.namespace}/${o.metadata.name}`;

const ignoreNotFound = (error: unknown) => {
  if (!isNotFound(error)) throw error;
};

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A VMI that another stand-in, still alive, created and runs. */
export function ownedByOtherStandIn(vmi: VirtualMachineInstance): boolean {
  const owner = Number(vmi.metadata.annotations?.[OWNER_ANNOTATION]);
  return Number.isInteger(owner) && owner > 0 && owner !== process.pid && pidAlive(owner);
}

export function controlledByVirtualMachine(vmi: VirtualMachineInstance): boolean {
  return vmi.metadata.ownerReferences?.some((o) => o.kind === 'VirtualMachine' && o.controller) ?? false;
}

export class KubeVirtApi {
  /** VM key/uid → the status body last written, so that unchanged statuses are not written again. */
  private readonly written = new Map<string, string>();
  private readonly ready = new ReadyConditions();

  constructor(private readonly client: KubeClient) {}

  close(): void {
    this.client.close();
  }

  async list(): Promise<{ vms: VirtualMachine[]; vmis: VirtualMachineInstance[] }> {
    const [vms, vmis] = await Promise.all([
      this.client.request<List<VirtualMachine>>({
        method: 'GET',
        path: resourcePath(VIRTUAL_MACHINES),
        timeoutMs: LIST_TIMEOUT_MS,
      }),
      this.client.request<List<VirtualMachineInstance>>({
        method: 'GET',
        path: resourcePath(VIRTUAL_MACHINE_INSTANCES),
        timeoutMs: LIST_TIMEOUT_MS,
      }),
    ]);
    // Forget what was written for VMs that are gone.
    const live = new Set(vms.items.map((vm) => `${keyOf(vm)}/${vm.metadata.uid}`));
    for (const key of this.written.keys()) if (!live.has(key)) this.written.delete(key);
    this.ready.retain(live);
    return { vms: vms.items, vmis: vmis.items };
  }

  /** The VM's VMI, controlled by the VM; undefined when one of that name exists already. */
  async createInstance(vm: VirtualMachine, spec: InstanceSpec): Promise<VirtualMachineInstance | undefined> {
    const template = vm.spec?.template?.metadata;
    return this.client
      .request<VirtualMachineInstance>({
        method: 'POST',
        path: resourcePath(VIRTUAL_MACHINE_INSTANCES, { namespace: vm.metadata.namespace }),
        body: {
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachineInstance',
          metadata: {
            name: vm.metadata.name,
            namespace: vm.metadata.namespace,
            labels: { ...template?.labels, 'kubevirt.io/nodeName': NODE_NAME },
            annotations: { ...template?.annotations, [OWNER_ANNOTATION]: String(process.pid) },
            ownerReferences: [
              {
                apiVersion: 'kubevirt.io/v1',
                kind: 'VirtualMachine',
                name: vm.metadata.name,
                uid: vm.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec,
        },
      })
      .catch((error: unknown) => {
        if (isConflict(error)) return undefined;
        throw error;
      });
  }

  async deleteInstance(namespace: string, name: string): Promise<void> {
    await this.client
      .request({ method: 'DELETE', path: resourcePath(VIRTUAL_MACHINE_INSTANCES, { namespace, name }) })
      .catch(ignoreNotFound);
  }

  async writeInstanceStatus(
    namespace: string,
    name: string,
    status: VirtualMachineInstanceStatus,
  ): Promise<void> {
    await this.client
      .request({
        method: 'PATCH',
        // KubeVirt's VMI CRD has no status subresource: virt-handler writes the object itself.
        path: resourcePath(VIRTUAL_MACHINE_INSTANCES, { namespace, name }),
        body: { status },
        contentType: MERGE_PATCH,
      })
      .catch(ignoreNotFound);
  }

  /** Writes the VM's status unless it is what this stand-in wrote last. */
  async writeVmStatus(vm: VirtualMachine, input: Omit<VmStatusInput, 'runStrategy'>): Promise<void> {
    const key = `${keyOf(vm)}/${vm.metadata.uid}`;
    const ready = this.ready.condition(key, input.ready, input.reason, input.message);
    const full: VmStatusInput = { ...input, runStrategy: runStrategyOf(vm) };
    if (vm.metadata.generation !== undefined) full.observedGeneration = vm.metadata.generation;
    const status = vmStatusBody(full, ready);
    const text = JSON.stringify(status);
    if (this.written.get(key) === text) return;
    const { namespace, name } = vm.metadata;
    try {
      await this.client.request({
        method: 'PATCH',
        path: resourcePath(VIRTUAL_MACHINES, { namespace, name, subresource: 'status' }),
        body: { status },
        contentType: MERGE_PATCH,
      });
      this.written.set(key, text);
    } catch (error) {
      ignoreNotFound(error);
    }
  }
}
