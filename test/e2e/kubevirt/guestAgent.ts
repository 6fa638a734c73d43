// The stand-in virt-launcher's side of the QEMU guest agent: QEMU serves the virtio-serial port
// org.qemu.guest_agent.0 on a Unix socket (as virt-launcher's libvirt domain does), and this
// polls the agent there as virt-launcher's agent poller does, with the QGA protocol (one JSON
// object a line each way): guest-sync first, to drop the answers to commands of a connection
// that ended mid-way, then guest-ping, guest-get-osinfo and guest-network-get-interfaces.
import net from 'node:net';
import type { definitions } from '../../../operator/src/providers/kubevirt/types.js';

export type GuestOSInfo = definitions['v1.VirtualMachineInstanceGuestOSInfo'];

/** QEMU's arguments for the agent channel, as KubeVirt's virt-launcher gives each domain. */
export const guestAgentQemuArgs = (socketPath: string): string[] => [
  '-device',
  'virtio-serial',
  '-chardev',
  `socket,id=qga0,path=${socketPath},server=on,wait=off`,
  '-device',
  'virtserialport,chardev=qga0,name=org.qemu.guest_agent.0',
];

export interface GuestInterface {
  name: string;
  mac?: string;
  ipAddresses: string[];
}

export interface GuestAgentInfo {
  os: GuestOSInfo;
  interfaces: GuestInterface[];
}

const COMMAND_TIMEOUT_MS = 3_000;
let nextSyncId = Math.floor(Math.random() * 1_000_000);

type Reply = { return?: unknown; error?: { class?: string; desc?: string } };

/** One connection to the agent socket, reading the replies line by line. */
class AgentConnection {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter?: () => void;
  private failure?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
      }
      this.wake();
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the agent socket closed')));
  }

  static open(socketPath: string): Promise<AgentConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new AgentConnection(socket));
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** The next line, or an error once `deadline` (epoch ms) has passed. */
  private async nextLine(deadline: number, what: string): Promise<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.failure) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no answer to ${what} within ${COMMAND_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Sends one command; resolves with the first reply for which `accept` holds. */
  private async exchange(command: object, what: string, accept: (reply: Reply) => boolean): Promise<Reply> {
    const deadline = Date.now() + COMMAND_TIMEOUT_MS;
    this.socket.write(`${JSON.stringify(command)}\n`);
    for (;;) {
      const line = (await this.nextLine(deadline, what)).trim();
      if (!line) continue;
      let reply: Reply | null;
      try {
        reply = JSON.parse(line) as Reply | null;
      } catch {
        continue; // the tail of an answer to an earlier connection
      }
      if (reply !== null && typeof reply === 'object' && accept(reply)) return reply;
    }
  }

  /** guest-sync: skips every line until the agent echoes this id. */
  async sync(): Promise<void> {
    const id = nextSyncId++;
    // 0xFF first resets the agent's parser, should a client before have left half a command.
    this.socket.write(Buffer.from([0xff]));
    await this.exchange({ execute: 'guest-sync', arguments: { id } }, 'guest-sync', (r) => r.return === id);
  }

  async execute<T>(command: string): Promise<T> {
    const reply = await this.exchange({ execute: command }, command, (r) => 'return' in r || 'error' in r);
    if (reply.error) throw new Error(`${command}: ${reply.error.desc ?? reply.error.class ?? 'error'}`);
    return reply.return as T;
  }
}

interface QgaOsInfo {
  id?: string;
  name?: string;
  'pretty-name'?: string;
  version?: string;
  'version-id'?: string;
  'kernel-release'?: string;
  'kernel-version'?: string;
  machine?: string;
}

interface QgaInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: { 'ip-address': string; 'ip-address-type': string; prefix: number }[];
}

/** KubeVirt's field names for guest-get-osinfo's answer (absent fields stay absent). */
export function guestOSInfoFrom(info: QgaOsInfo): GuestOSInfo {
  const fields: [keyof GuestOSInfo, string | undefined][] = [
    ['id', info.id],
    ['name', info.name],
    ['prettyName', info['pretty-name']],
    ['version', info.version],
    ['versionId', info['version-id']],
    ['kernelRelease', info['kernel-release']],
    ['kernelVersion', info['kernel-version']],
    ['machine', info.machine],
  ];
  return Object.fromEntries(fields.filter(([, value]) => value !== undefined)) as GuestOSInfo;
}

/**
 * Asks the agent behind `socketPath` for the guest's OS and interfaces, on a connection of its
 * own; rejects when the agent does not answer (not started yet, or no agent in the guest).
 */
export async function queryGuestAgent(socketPath: string): Promise<GuestAgentInfo> {
  const connection = await AgentConnection.open(socketPath);
  try {
    await connection.sync();
    await connection.execute('guest-ping');
    const os = guestOSInfoFrom(await connection.execute<QgaOsInfo>('guest-get-osinfo'));
    const interfaces = (await connection.execute<QgaInterface[]>('guest-network-get-interfaces'))
      .filter((i) => i.name !== 'lo')
      .map((i) => ({
        name: i.name,
        ...(i['hardware-address'] ? { mac: i['hardware-address'] } : {}),
        ipAddresses: (i['ip-addresses'] ?? []).map((a) => a['ip-address']),
      }));
    return { os, interfaces };
  } finally {
    connection.close();
  }
}

const POLL_MS = 2_000;
const CONNECTED_POLL_MS = 10_000;
/** Failed polls in a row after which a connected agent counts as gone. */
const FAILURES_TO_DISCONNECT = 2;

/**
 * Polls one instance's agent, every 2 s until it answers and every 10 s after: `info` is its last
 * answer while it is connected, with `connectedAt` (ISO time) the moment it answered first.
 */
export class GuestAgentPoller {
  info?: GuestAgentInfo;
  connectedAt?: string;
  private failures = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(
    private readonly socketPath: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    void this.loop();
  }

  /** Changes whenever what the status shows of the agent changes. */
  get key(): string {
    return this.info ? JSON.stringify([this.connectedAt, this.info]) : '';
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await queryGuestAgent(this.socketPath).then(
        (info) => {
          if (this.stopped) return;
          if (!this.info) this.log(`guest agent connected (${info.os.prettyName ?? info.os.id ?? '?'})`);
          this.connectedAt ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          this.info = info;
          this.failures = 0;
        },
        (error: unknown) => {
          if (!this.info || ++this.failures < FAILURES_TO_DISCONNECT) return;
          this.log(`guest agent disconnected: ${error instanceof Error ? error.message : String(error)}`);
          this.info = undefined;
          this.connectedAt = undefined;
        },
      );
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.info ? CONNECTED_POLL_MS : POLL_MS);
      });
    }
  }
}
