// Asking a guest's DNS forward with dig, as a user would.
import { runCommand } from '../integration/cluster.js';

export interface DigAnswer {
  /** The response code (NOERROR, REFUSED, …), or 'NO-ANSWER' when no response came. */
  status: string;
  /** The data of the answer records of the asked type, sorted. */
  data: string[];
}

export async function dig(
  port: number,
  name: string,
  type: string,
  transport: 'udp' | 'tcp' = 'udp',
  server = '127.0.0.1',
  /** A network namespace to ask from (nsenter --net), such as a LAN of hack/lan/hosts.sh. */
  netns?: string,
): Promise<DigAnswer> {
  const [command, ...prefix] = netns ? ['nsenter', `--net=${netns}`, 'dig'] : ['dig'];
  const result = await runCommand(command as string, [
    ...prefix,
    `@${server}`,
    '-p',
    String(port),
    name,
    type,
    transport === 'tcp' ? '+tcp' : '+notcp',
    '+tries=1',
    '+time=2',
    '+nocmd',
    '+noall',
    '+comments',
    '+answer',
  ]);
  const status = /status: ([A-Z]+)/.exec(result.stdout)?.[1] ?? 'NO-ANSWER';
  const data = result.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith(';'))
    .map((line) => line.split(/\s+/))
    .filter((fields) => fields[3] === type)
    .map((fields) => fields.slice(4).join(' '))
    .sort();
  return { status, data };
}
