// Status bodies as virt-controller (VirtualMachine) and virt-handler (VirtualMachineInstance)
// write them, with KubeVirt v1.9.0's field names (v1.VirtualMachineStatus,
// v1.VirtualMachineInstanceStatus, v1.VirtualMachineInstanceNetworkInterface, conditions),
// typed with the types generated from its API spec so that tsc checks the names. Once the guest
// agent answers, the VMI shows it as virt-handler does: the AgentConnected condition (True,
// lastProbeTime when it connected, no reason), guestOSInfo from guest-get-osinfo, and the
// interface's name inside the guest with infoSource 'domain, guest-agent'.
import type {
  VirtualMachineInstanceStatus,
  VirtualMachineStatus,
} from '../../../operator/src/providers/kubevirt/types.js';
import type { GuestAgentInfo } from './guestAgent.js';

export const NODE_NAME = 'stand-in';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: string | null;
  lastTransitionTime: string | null;
  reason?: string;
  message?: string;
}

export type InstancePhase = 'Scheduled' | 'Running' | 'Succeeded' | 'Failed';

export interface VmStatusInput {
  printableStatus: string;
  created: boolean;
  ready: boolean;
  runStrategy: string;
  observedGeneration?: number;
  reason?: string;
  message?: string;
}

type VmState = Omit<VmStatusInput, 'runStrategy'>;
export const VM_STARTING: VmState = {
  printableStatus: 'Starting',
  created: true,
  ready: false,
  reason: 'GuestNotRunning',
};
export const VM_RUNNING: VmState = { printableStatus: 'Running', created: true, ready: true };
export const VM_STOPPED: VmState = {
  printableStatus: 'Stopped',
  created: false,
  ready: false,
  reason: 'VMINotExists',
  message: 'VMI does not exist',
};

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Ready conditions whose lastTransitionTime moves only when their status does. */
export class ReadyConditions {
  private readonly since = new Map<string, { status: string; time: string }>();

  condition(key: string, ready: boolean, reason?: string, message?: string): Condition {
    const status = ready ? 'True' : 'False';
    let previous = this.since.get(key);
    if (previous?.status !== status) {
      previous = { status, time: now() };
      this.since.set(key, previous);
    }
    return {
      type: 'Ready',
      status,
      lastProbeTime: null,
      lastTransitionTime: previous.time,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    };
  }

  /** Forgets the keys not in `keys`. */
  retain(keys: Set<string>): void {
    for (const key of this.since.keys()) if (!keys.has(key)) this.since.delete(key);
  }
}

export function vmStatusBody(input: VmStatusInput, ready: Condition): VirtualMachineStatus {
  return {
    created: input.created,
    ready: input.ready,
    printableStatus: input.printableStatus,
    runStrategy: input.runStrategy,
    ...(input.observedGeneration === undefined
      ? {}
      : { observedGeneration: input.observedGeneration, desiredGeneration: input.observedGeneration }),
    conditions: [ready],
  };
}

export interface InstanceStatusInput {
  phase: InstancePhase;
  transitions: { phase: string; phaseTransitionTimestamp: string }[];
  interfaceName: string;
  address: string;
  mac: string;
  reason?: string;
  message?: string;
  /** The guest agent's last answer while it is connected, and when it connected. */
  agent?: { info?: GuestAgentInfo; connectedAt?: string };
}

/** Records a phase change in `transitions` (in place) and returns the VMI status body. */
export function instanceStatusBody(input: InstanceStatusInput): VirtualMachineInstanceStatus {
  if (input.transitions.at(-1)?.phase !== input.phase)
    input.transitions.push({ phase: input.phase, phaseTransitionTimestamp: now() });
  const running = input.phase === 'Running';
  const ready: Condition = {
    type: 'Ready',
    status: running ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: input.transitions.at(-1)?.phaseTransitionTimestamp ?? now(),
    ...(running ? {} : { reason: input.reason ?? 'GuestNotRunning' }),
    ...(input.message ? { message: input.message } : {}),
  };
  const booted = running || input.phase === 'Succeeded' || input.phase === 'Failed';
  const info = running ? input.agent?.info : undefined;
  // virt-handler adds AgentConnected when the agent's channel connects and removes it after.
  const agentConnected: Condition[] = info
    ? [
        {
          type: 'AgentConnected',
          status: 'True',
          lastProbeTime: input.agent?.connectedAt ?? now(),
          lastTransitionTime: null,
        },
      ]
    : [];
  const mac = input.mac.toLowerCase();
  const inGuest = info?.interfaces.find((i) => i.mac?.toLowerCase() === mac);
  return {
    phase: input.phase,
    nodeName: NODE_NAME,
    ...(input.reason && !running ? { reason: input.reason } : {}),
    conditions: [ready, ...agentConnected],
    phaseTransitionTimestamps: input.transitions,
    // A merge patch leaves fields out of {} as they are: the last OS the agent reported stays.
    guestOSInfo: info?.os ?? {},
    interfaces: booted
      ? [
          {
            name: input.interfaceName,
            // masquerade binding: KubeVirt shows the pod IP, not the guest's address behind NAT
            ipAddress: input.address,
            ipAddresses: [input.address],
            mac: input.mac,
            interfaceName: inGuest?.name ?? 'eth0',
            infoSource: info ? 'domain, guest-agent' : 'domain',
          },
        ]
      : [],
  };
}
