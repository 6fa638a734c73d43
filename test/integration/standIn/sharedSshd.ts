// One real sshd on loopback shared by the server processes of a test file (named, apache2), each
// of which stands for a guest: the operator logs in to each "guest" through it, as root.
import { generateEd25519 } from '../../../operator/src/guest/sshKeyPair.js';
import { connectGuest, type GuestChannel } from '../../../operator/src/guest/channel.js';
import { startTestSshd, type TestSshd } from '../sshd.js';

export interface TestSshAccess {
  host: string;
  port: number;
  /** The sshd's host key (OpenSSH format) and its public half ("ssh-ed25519 AAAA…"). */
  hostPrivateKey: string;
  hostPublicKey: string;
  /** The key root logs in with. */
  clientPrivateKey: string;
  clientPublicKey: string;
}

/** One sshd, used by several servers; stops when the last one releases it. */
export interface SharedSshd {
  sshd: TestSshd;
  access: TestSshAccess;
  users: number;
}

/** Starts a server per name behind one new sshd; if one fails to start, the others stop again. */
export async function startBehindOneSshd<T extends { stop(): Promise<void> }>(
  names: string[],
  startOne: (name: string, shared: SharedSshd) => Promise<T>,
): Promise<T[]> {
  const host = generateEd25519('test');
  const client = generateEd25519('test');
  const sshd = await startTestSshd(host.private, client.public);
  const shared: SharedSshd = {
    sshd,
    access: {
      host: '127.0.0.1',
      port: sshd.port,
      hostPrivateKey: host.private,
      hostPublicKey: host.public,
      clientPrivateKey: client.private,
      clientPublicKey: client.public,
    },
    users: 0,
  };
  const servers: T[] = [];
  try {
    for (const name of names) servers.push(await startOne(name, shared));
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    if (shared.users === 0) await shared.sshd.stop();
    throw error;
  }
  return servers;
}

/** A guest channel through the shared sshd. */
export function channelThrough(shared: SharedSshd): Promise<GuestChannel> {
  return connectGuest(
    {
      host: shared.access.host,
      port: shared.access.port,
      username: 'root',
      privateKey: shared.access.clientPrivateKey,
      hostPublicKey: shared.access.hostPublicKey,
    },
    10_000,
  );
}
