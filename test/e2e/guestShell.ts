// Logging in to a guest as the operator does: root, the client key and the pinned host key from
// the guest's Secret `<guest>-ssh`.
import { connectGuest, type GuestChannel } from '../../operator/src/guest/channel.js';
import { kubectl } from '../integration/cluster.js';

export async function withGuestShell<T>(
  namespace: string,
  guest: string,
  sshPort: number,
  use: (channel: GuestChannel) => Promise<T>,
): Promise<T> {
  const secret = await kubectl(['get', 'secret', `${guest}-ssh`, '-n', namespace, '-o', 'json']);
  if (secret.code !== 0) throw new Error(secret.stderr);
  const data = (JSON.parse(secret.stdout) as { data: Record<string, string> }).data;
  const field = (name: string) => Buffer.from(data[name] ?? '', 'base64').toString();
  const channel = await connectGuest({
    host: '127.0.0.1',
    port: sshPort,
    username: 'root',
    privateKey: field('client_ed25519'),
    hostPublicKey: field('host_ed25519.pub'),
  });
  try {
    return await use(channel);
  } finally {
    channel.close();
  }
}

/** Output of shell commands run in the guest, each under a heading: what to read when a check fails. */
export async function guestReport(
  namespace: string,
  guest: string,
  sshPort: number,
  commands: string[],
): Promise<string> {
  try {
    return await withGuestShell(namespace, guest, sshPort, async (channel) => {
      const parts: string[] = [];
      for (const command of commands) {
        const result = await channel.run(['sh', '-c', command], { timeoutMs: 30_000 });
        parts.push(`$ ${command}  (exit ${result.code})\n${result.stdout}${result.stderr}`);
      }
      return parts.join('\n');
    });
  } catch (error) {
    return `no report from ${guest}: ${(error as Error).message}`;
  }
}
