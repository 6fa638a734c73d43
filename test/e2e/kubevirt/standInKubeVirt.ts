// A stand-in for KubeVirt on a machine with no KubeVirt and no kubelet, for tests.
//
// It stands for:
// - virt-controller: for each VirtualMachine whose run strategy asks for it, it creates a
//   VirtualMachineInstance (same name and namespace, the template's labels and spec, controlled
//   by the VM), deletes it when the VM is halted or deleted, restarts a failed one a few seconds
//   later, and writes the VM's status (printableStatus, created, ready, the Ready condition);
// - virt-handler and virt-launcher: it boots the instance's domain with QEMU and writes the
//   VMI's status (phase, nodeName, interfaces with the pod IP, the Ready condition, and once the
//   guest agent answers on its channel the AgentConnected condition and guestOSInfo).
//
// What differs from KubeVirt:
// - networking is QEMU user-mode networking; the instance's "pod IP" is a loopback address of
//   its own, 127.77.0.N, whose ports 22, 53 (TCP and UDP), 80 and 443 are forwarded to the
//   guest (see loopbackAddress.ts); nothing else reaches the guest and guests do not see each
//   other. Binding ports below 1024 needs root (or CAP_NET_BIND_SERVICE);
// - no image is pulled: the containerDisk image reference must be in `options.images`, which
//   maps it to a local guest image folder (hack/guest-image/build.sh) booted by direct kernel
//   boot (its vmlinuz, initrd.img and manifest.json kernelCommandLine) on a qcow2 overlay of
//   its disk.qcow2; an unknown image gives printableStatus ErrImagePull;
// - only the first disk (a containerDisk) and a cloudInitNoCloud volume are used; the seed is
//   a NoCloud ISO (label cidata) with meta-data `instance-id: <VMI uid>`;
// - QEMU runs under TCG (software emulation), one process per instance, killed with this
//   process (setpriv --pdeathsig KILL); stopping is SIGTERM, not an ACPI shutdown;
// - no migration, no pods, no scheduling (nodeName "stand-in"), no finalizers; the API is
//   polled every 500 ms instead of watched, the guest agent every 2 s (10 s once it answered).
// Several stand-ins may share an API server: each leaves alone the VMIs another live one made.
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../operator/src/kube/client.js';
import { planBoot } from './bootPlan.js';
import { controlledByVirtualMachine, keyOf, KubeVirtApi, ownedByOtherStandIn } from './kubevirtApi.js';
import {
  primaryInterface,
  wantsRunning,
  type VirtualMachine,
  type VirtualMachineInstance,
} from './kubevirtObjects.js';
import {
  instanceStatusBody,
  VM_RUNNING,
  VM_STARTING,
  VM_STOPPED,
  type InstancePhase,
} from './kubevirtStatus.js';
import { GuestAgentPoller } from './guestAgent.js';
import { freeLoopbackAddress } from './loopbackAddress.js';
import { bootQemu, type QemuExit, type QemuInstance } from './qemuInstance.js';

export interface StandInKubeVirtOptions {
  kubeconfig: string;
  /** containerDisk image reference → local guest image folder. */
  images: Record<string, string>;
  log?: (line: string) => void;
}

export interface StandInInstance {
  namespace: string;
  name: string;
  address: string;
  pid: number;
}

export interface StandInKubeVirt {
  /** Stops polling and kills every QEMU; leaves the API objects as they are. */
  stop(): Promise<void>;
  /** The instances whose QEMU runs. */
  instances(): StandInInstance[];
}

const POLL_MS = 500;
const RESTART_DELAY_MS = 5_000;
const EARLY_EXIT_MS = 1_000;

interface Instance {
  namespace: string;
  name: string;
  vmUid: string;
  vmiUid: string;
  interfaceName: string;
  mac: string;
  address: string;
  qemu?: QemuInstance;
  agent?: GuestAgentPoller;
  /** What the VMI status last written shows of the agent (GuestAgentPoller.key). */
  agentShown?: string;
  startedAt: number;
  transitions: { phase: string; phaseTransitionTimestamp: string }[];
  exit?: QemuExit;
  exitedAt?: number;
  exitReported?: boolean;
  failure?: string;
  stopping?: boolean;
}

type Why = { reason?: string; message?: string };
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class StandInController {
  private readonly running = new Map<string, Instance>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: KubeVirtApi,
    private readonly client: KubeClient,
    private readonly options: StandInKubeVirtOptions,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.tick().catch((error: unknown) => this.log(`poll failed: ${errorText(error)}`));
        await sleep(POLL_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const instance of this.running.values()) await this.kill(instance);
    this.running.clear();
    this.api.close();
  }

  list(): StandInInstance[] {
    return [...this.running.values()]
      .filter((i) => i.qemu && !i.exit)
      .map((i) => ({ namespace: i.namespace, name: i.name, address: i.address, pid: i.qemu?.pid ?? -1 }));
  }

  private log(line: string): void {
    this.options.log?.(`stand-in kubevirt: ${line}`);
  }

  private async tick(): Promise<void> {
    const { vms, vmis } = await this.api.list();
    const vmByKey = new Map(vms.map((vm) => [keyOf(vm), vm]));
    const vmiByKey = new Map(vmis.map((vmi) => [keyOf(vmi), vmi]));

    for (const [key, instance] of this.running) {
      if (this.stopped) return;
      const vm = vmByKey.get(key);
      if (await this.reconcileInstance(key, instance, vm, vmiByKey.get(key))) vmiByKey.delete(key);
    }
    // VMIs controlled by a VirtualMachine that no live stand-in runs: left from an earlier run.
    for (const vmi of vmiByKey.values()) {
      if (this.running.has(keyOf(vmi)) || !controlledByVirtualMachine(vmi) || ownedByOtherStandIn(vmi))
        continue;
      this.log(`${keyOf(vmi)}: deleting a VirtualMachineInstance nothing runs`);
      await this.api.deleteInstance(vmi.metadata.namespace, vmi.metadata.name);
    }
    for (const vm of vmByKey.values()) {
      if (this.stopped) return;
      const key = keyOf(vm);
      const vmi = vmiByKey.get(key);
      if (this.running.has(key) || (vmi && ownedByOtherStandIn(vmi))) continue;
      if (!wantsRunning(vm)) await this.api.writeVmStatus(vm, VM_STOPPED);
      else if (!vmi) await this.startInstance(vm);
    }
  }

  /** Moves one instance along; true when it deleted the VMI. */
  private async reconcileInstance(
    key: string,
    instance: Instance,
    vm: VirtualMachine | undefined,
    vmi: VirtualMachineInstance | undefined,
  ): Promise<boolean> {
    if (!vm || vm.metadata.uid !== instance.vmUid || !wantsRunning(vm)) {
      await this.teardown(key, instance, true);
      return true;
    }
    if (!vmi || vmi.metadata.uid !== instance.vmiUid) {
      this.log(`${key}: its VirtualMachineInstance is gone; stopping QEMU`);
      await this.teardown(key, instance, false);
      return false;
    }
    if (instance.exit) {
      if (!instance.exitReported) await this.reportExit(vm, instance);
      if (Date.now() - (instance.exitedAt ?? 0) < RESTART_DELAY_MS) return false;
      await this.teardown(key, instance, true); // restarted by this poll, as KubeVirt restarts it
      return true;
    }
    // Running once QEMU has lived a moment: an address it cannot bind makes it exit at once.
    const up = instance.qemu !== undefined && Date.now() - instance.startedAt >= EARLY_EXIT_MS;
    const agentChanged = (instance.agent?.key ?? '') !== instance.agentShown;
    if (up && (vmi.status?.phase !== 'Running' || agentChanged))
      await this.writeInstanceStatus(instance, 'Running');
    await this.api.writeVmStatus(vm, up ? VM_RUNNING : VM_STARTING);
    return false;
  }

  private async startInstance(vm: VirtualMachine): Promise<void> {
    const key = keyOf(vm);
    const spec = vm.spec?.template?.spec ?? {};
    const plan = await planBoot(this.client, vm, this.options.images);
    if (!plan.ok) {
      const { printableStatus, reason, message } = plan;
      return this.api.writeVmStatus(vm, { printableStatus, created: false, ready: false, reason, message });
    }
    // One left over, or another stand-in's: the next poll sorts it out.
    const vmi = await this.api.createInstance(vm, spec);
    if (!vmi) return;
    const { name: interfaceName, mac } = primaryInterface(spec, vmi.metadata.uid);
    const instance: Instance = {
      namespace: vm.metadata.namespace,
      name: vm.metadata.name,
      vmUid: vm.metadata.uid,
      vmiUid: vmi.metadata.uid,
      interfaceName,
      mac,
      address: '',
      startedAt: 0,
      transitions: [],
    };
    this.running.set(key, instance);
    try {
      await this.writeInstanceStatus(instance, 'Scheduled');
      await this.api.writeVmStatus(vm, VM_STARTING);
      const taken = new Set([...this.running.values()].map((i) => i.address));
      instance.address = await freeLoopbackAddress(taken);
      const qemu = await bootQemu({
        imageDir: plan.imageDir,
        memoryMiB: plan.memoryMiB,
        cpus: plan.cpus,
        mac,
        address: instance.address,
        userData: plan.userData,
        metaData: `instance-id: ${vmi.metadata.uid}\nlocal-hostname: ${vm.metadata.name}\n`,
        ...(plan.networkData === undefined ? {} : { networkData: plan.networkData }),
        label: `${vm.metadata.namespace}-${vm.metadata.name}`,
      });
      instance.qemu = qemu;
      instance.startedAt = Date.now();
      instance.agent = new GuestAgentPoller(qemu.agentSocket, (line) => this.log(`${key}: ${line}`));
      void qemu.exited.then((exit) => {
        if (instance.stopping) return;
        instance.exit = exit;
        instance.exitedAt = Date.now();
      });
      this.log(`${key}: QEMU ${qemu.pid} boots ${plan.image} at ${instance.address} (${qemu.dir})`);
    } catch (error) {
      if (instance.qemu) throw error;
      // Reported as a failed instance by the next poll, and retried after the restart delay.
      instance.failure = `could not start QEMU: ${errorText(error)}`;
      instance.exit = { code: null, signal: null };
      instance.exitedAt = Date.now();
    }
  }

  private async reportExit(vm: VirtualMachine, instance: Instance): Promise<void> {
    instance.exitReported = true;
    const exit = instance.exit;
    const clean = !instance.failure && exit?.code === 0;
    const tail = ((await instance.qemu?.consoleTail(3)) ?? '').slice(-400);
    const message =
      instance.failure ??
      `QEMU exited (${exit?.signal ?? `code ${exit?.code}`})${tail ? `; console: ${tail}` : ''}`;
    this.log(`${keyOf(vm)}: ${message}`);
    const reason = clean ? 'GuestShutdown' : 'GuestFailed';
    await this.writeInstanceStatus(instance, clean ? 'Succeeded' : 'Failed', { reason, message });
    await this.api.writeVmStatus(vm, { ...VM_STARTING, printableStatus: 'Stopped', message });
  }

  private async kill(instance: Instance): Promise<void> {
    instance.stopping = true;
    instance.agent?.stop();
    await instance.qemu?.stop();
    await instance.qemu?.remove();
  }

  /** Kills QEMU, removes its folder and (when asked) the VMI. */
  private async teardown(key: string, instance: Instance, deleteVmi: boolean): Promise<void> {
    this.running.delete(key);
    await this.kill(instance);
    if (deleteVmi) await this.api.deleteInstance(instance.namespace, instance.name);
    this.log(`${key}: stopped${instance.qemu ? ` QEMU ${instance.qemu.pid}` : ''}`);
  }

  /** `why`: the reason and message of a phase other than Running. */
  private async writeInstanceStatus(instance: Instance, phase: InstancePhase, why: Why = {}) {
    const agentKey = instance.agent?.key ?? '';
    const status = instanceStatusBody({ ...instance, phase, ...why });
    await this.api.writeInstanceStatus(instance.namespace, instance.name, status);
    instance.agentShown = agentKey;
  }
}

export async function startStandInKubeVirt(options: StandInKubeVirtOptions): Promise<StandInKubeVirt> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfig);
  const client = await KubeClient.create(kubeConfig);
  const controller = new StandInController(new KubeVirtApi(client), client, options);
  controller.start();
  return { stop: () => controller.stop(), instances: () => controller.list() };
}
