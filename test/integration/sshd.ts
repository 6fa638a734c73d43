// A real OpenSSH server on 127.0.0.1 for tests (standing in for a guest's or a hypervisor's sshd:
// the same server, on this machine), tied to the test process.
import { startHostSshd, type HostSshd } from '../../hack/cluster/hostSshd.js';

export type TestSshd = HostSshd;

/**
 * Starts sshd with hostPrivateKey as its only host key, allowing root to log in with authorizedKey,
 * on 127.0.0.1 or listenAddress (an address of this machine, such as a local node's veth side).
 */
export function startTestSshd(
  hostPrivateKey: string,
  authorizedKey: string,
  listenAddress = '127.0.0.1',
): Promise<TestSshd> {
  return startHostSshd({ hostPrivateKey, authorizedKey, listenAddress, ownerPid: process.pid });
}
