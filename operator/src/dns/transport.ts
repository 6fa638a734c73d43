// Moving DNS messages over UDP and TCP (RFC 1035 4.2, RFC 7766): one socket per exchange.
import { createSocket } from 'node:dgram';
import { isIPv6, Socket } from 'node:net';
import { DnsError } from './dnsError.js';

export interface DnsEndpoint {
  host: string;
  port: number;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_TCP_MESSAGE = 0xffff;

function describe(endpoint: DnsEndpoint, transport: 'udp' | 'tcp'): string {
  const host = isIPv6(endpoint.host) ? `[${endpoint.host}]` : endpoint.host;
  return `${transport}://${host}:${endpoint.port}`;
}

function socketError(error: NodeJS.ErrnoException, where: string): DnsError {
  return error.code === 'ECONNREFUSED'
    ? new DnsError('TIMEOUT', `no DNS server answers at ${where} (connection refused)`)
    : new DnsError('NETWORK', `${where}: ${error.message}`);
}

/**
 * Sends one datagram and resolves with the first datagram back that accept takes (it returns
 * false for strays, and may throw to reject). The socket is connected, so only the endpoint's
 * datagrams arrive.
 */
export function exchangeUdp(
  endpoint: DnsEndpoint,
  request: Buffer,
  timeoutMs: number,
  accept: (response: Buffer) => boolean,
): Promise<Buffer> {
  const where = describe(endpoint, 'udp');
  const socket = createSocket(isIPv6(endpoint.host) ? 'udp6' : 'udp4');
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new DnsError('TIMEOUT', `no answer from ${where} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let settled = false;
    const finish = (error: Error | undefined, response?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(response as Buffer);
    };
    socket.on('error', (error) => finish(socketError(error, where)));
    socket.on('message', (response) => {
      try {
        if (accept(response)) finish(undefined, response);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.connect(endpoint.port, endpoint.host, () => socket.send(request));
  });
}

/**
 * Sends one message over a new TCP connection and hands each response message to onMessage
 * until it returns true. timeoutMs bounds every wait for the server, not the whole exchange, so
 * a long zone transfer that keeps arriving does not time out.
 */
export function exchangeTcp(
  endpoint: DnsEndpoint,
  request: Buffer,
  timeoutMs: number,
  onMessage: (response: Buffer) => boolean,
): Promise<void> {
  const where = describe(endpoint, 'tcp');
  if (request.length > MAX_TCP_MESSAGE) {
    return Promise.reject(
      new Error(`DNS message of ${request.length} bytes is too long for TCP (max 65535)`),
    );
  }
  const socket = new Socket();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    let pending = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () =>
      finish(new DnsError('TIMEOUT', `no answer from ${where} within ${timeoutMs} ms`)),
    );
    socket.on('error', (error) => finish(socketError(error, where)));
    socket.on('close', () =>
      finish(new DnsError('NETWORK', `${where} closed the connection before answering fully`)),
    );
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!settled && pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const length = pending.readUInt16BE(0);
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        try {
          if (onMessage(message)) finish();
        } catch (error) {
          finish(error as Error);
        }
      }
    });
    socket.connect(endpoint.port, endpoint.host, () => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(request.length);
      socket.write(Buffer.concat([prefix, request]));
    });
  });
}
