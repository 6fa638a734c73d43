// A bare named on 127.0.0.1 for the DNS client tests: primary zones from files, TSIG keys,
// recursion off; tied to the test process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  isListening,
  sleep,
  startProcess,
  stopProcessGroup,
} from '../../../hack/cluster/processes.js';
import { querySoaSerial, type TsigKey } from '../../../operator/src/dns/client.js';

export interface NamedZone {
  name: string;
  zoneFile: string;
  /** Extra statements inside zone { }, such as `allow-update { key k; };`. */
  options: string;
}

export interface TestNamed {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function startNamed(keys: TsigKey[], zones: NamedZone[]): Promise<TestNamed> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-named-'));
  const port = await freePort();
  const config = [
    `options {`,
    `  directory "${dir}";`,
    `  pid-file "${dir}/named.pid";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    `  listen-on-v6 { none; };`,
    `  recursion no;`,
    `};`,
    ...keys.map((key) => `key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };`),
    ...zones.map((zone) => `zone "${zone.name}" { type primary; file "${zone.name}.db"; ${zone.options} };`),
  ];
  await writeFile(path.join(dir, 'named.conf'), config.join('\n') + '\n');
  for (const zone of zones) await writeFile(path.join(dir, `${zone.name}.db`), zone.zoneFile);
  const logFile = path.join(dir, 'named.log');
  const { pid } = startProcess(
    'named',
    ['-g', '-n', '1', '-c', path.join(dir, 'named.conf')],
    logFile,
    process.pid,
  );
  try {
    await waitUntilServing(port, zones, logFile);
  } catch (error) {
    await stopProcessGroup(pid);
    throw error;
  }
  return {
    port,
    dir,
    stop: async () => {
      await stopProcessGroup(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilServing(port: number, zones: NamedZone[], logFile: string): Promise<void> {
  for (let attempt = 0; !(await isListening(port)); attempt++) {
    if (attempt > 100) throw new Error(`named does not listen on 127.0.0.1:${port}; see ${logFile}`);
    await sleep(100);
  }
  // named listens before it has loaded its zones.
  for (const zone of zones) {
    for (
      let attempt = 0;
      (await querySoaSerial({ host: '127.0.0.1', port }, zone.name)) === undefined;
      attempt++
    ) {
      if (attempt > 100) throw new Error(`named does not serve ${zone.name}; see ${logFile}`);
      await sleep(100);
    }
  }
}
