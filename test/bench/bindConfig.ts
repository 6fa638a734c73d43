// npm run bench:bind-config [-- --rounds N --seconds S]: query throughput of named with the
// configuration the operator generates, side by side with a hand-tuned baseline named.conf. Both
// serve the same zone of 2,000 A records: (a) set up as the operator does (renderServerConfig,
// BindControl.applyServerConfig, the zone added with rndc addzone, a TSIG key and a served catalog
// as on a real primary), (b) a plain `zone { type primary; }` in a minimal named.conf. Each round
// starts one named (`-n 1`), runs dnsperf over loopback with 4 clients, stops it, then the other:
// one server at a time on this 2-core machine. Prints one JSON line last:
// {generatedQps, baselineQps, ratio, rounds} (medians over the rounds).
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, isAlive, sleep, startProcess, stopProcessGroup } from '../../hack/cluster/processes.js';
import type { GuestChannel, RunResult } from '../../operator/src/guest/channel.js';
import { renderServerConfig } from '../../operator/src/guest/bind/config.js';
import { BindControl } from '../../operator/src/guest/bind/control.js';
import { localBindLayout, mainConfigContent, type BindLayout } from '../../operator/src/guest/bind/layout.js';
import type { ServerConfig } from '../../operator/src/guest/bind/model.js';
import { initialZoneFile } from '../../operator/src/guest/bind/zoneFiles.js';
import type { ResourceRecord } from '../../operator/src/dns/record.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '10' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const log = (message: string) => process.stderr.write(`[bench:bind-config] ${message}\n`);

const ORIGIN = 'bench.test.';
const RECORDS = 2000;
const records: ResourceRecord[] = [
  { name: ORIGIN, type: 'NS', ttl: 3600, data: `ns1.${ORIGIN}` },
  { name: `ns1.${ORIGIN}`, type: 'A', ttl: 3600, data: '127.0.0.1' },
  ...Array.from({ length: RECORDS }, (_, i) => ({
    name: `host${i}.${ORIGIN}`,
    type: 'A',
    ttl: 3600,
    data: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  })),
];
const soa: ResourceRecord = {
  name: ORIGIN,
  type: 'SOA',
  ttl: 3600,
  data: `ns1.${ORIGIN} hostmaster.${ORIGIN} 1 3600 900 1209600 300`,
};

/** The guest channel, for a named on this machine: the operator's own code drives it unchanged. */
const localChannel: GuestChannel = {
  run: (argv, options = {}) =>
    new Promise<RunResult>((resolve, reject) => {
      const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(options.input);
    }),
  writeFile: async (file, content, mode = '0644') => {
    const staging = `${file}.bench-${process.pid}`;
    await writeFile(staging, content);
    await chmod(staging, Number.parseInt(mode, 8));
    await rename(staging, file);
  },
  readFile: (file) => readFile(file),
  close: () => undefined,
};

interface BenchServer {
  label: string;
  port: number;
  mainConfig: string;
  logFile: string;
}

async function prepareFolder(root: string, layout: BindLayout): Promise<void> {
  for (const folder of [layout.directory, layout.runtimeDir ?? root])
    await mkdir(folder, { recursive: true });
  execFileSync('rndc-confgen', ['-a', '-A', 'hmac-sha256', '-k', 'rndc-key', '-c', layout.rndcKeyFile]);
}

/** (a) What the operator makes of a primary: first-boot files, then its configuration and the zone. */
async function generatedServer(root: string): Promise<BenchServer> {
  const layout = localBindLayout(root, { dns: await freePort(), control: await freePort() });
  await prepareFolder(root, layout);
  await writeFile(layout.mainConfig, mainConfigContent(layout.mainConfigIncludes));
  const transfer = {
    name: 'servirt-transfer.bench',
    algorithm: 'hmac-sha256' as const,
    secret: 'YmVuY2hiZW5jaGJlbmNoYmVuY2hiZW5jaGJlbmNoMTI=',
  };
  const config: ServerConfig = {
    keys: [transfer],
    servedCatalogs: [
      {
        zone: 'ns2.bench.catalog.servirt.invalid',
        transferKey: transfer.name,
        notify: [{ address: '127.0.0.1', port: 9 }],
      },
    ],
    followedCatalogs: [],
  };
  const control = new BindControl(localChannel, layout);
  const server = {
    label: 'generated',
    port: layout.port,
    mainConfig: layout.mainConfig,
    logFile: path.join(root, 'named.log'),
  };
  for (const file of renderServerConfig(layout, { keys: [], servedCatalogs: [], followedCatalogs: [] }))
    await writeFile(file.path, file.content);
  const pid = await startNamed(server, false);
  try {
    await control.applyServerConfig(renderServerConfig(layout, config));
    await control.addZone(
      { origin: ORIGIN, updateKey: transfer.name, transferKeys: [], notify: [] },
      initialZoneFile(ORIGIN, soa, records),
    );
  } finally {
    await stopProcessGroup(pid);
  }
  return server;
}

/** (b) A minimal authoritative named.conf, as one would write it by hand for speed. */
async function baselineServer(root: string): Promise<BenchServer> {
  const port = await freePort();
  await mkdir(path.join(root, 'cache'), { recursive: true });
  await writeFile(path.join(root, 'bench.test.db'), initialZoneFile(ORIGIN, soa, records));
  const mainConfig = path.join(root, 'named.conf');
  await writeFile(
    mainConfig,
    `options {
\tdirectory "${root}/cache";
\tpid-file "${root}/named.pid";
\tsession-keyfile "${root}/session.key";
\tlisten-on port ${port} { 127.0.0.1; };
\tlisten-on-v6 { none; };
\trecursion no;
\tminimal-responses yes;
\tdnssec-validation no;
\tallow-transfer { none; };
};
zone "${ORIGIN}" { type primary; file "${root}/bench.test.db"; };
`,
  );
  return { label: 'baseline', port, mainConfig, logFile: path.join(root, 'named.log') };
}

/** Starts named and waits until it answers: any answer, or (zoneLoaded) one from the zone. */
async function startNamed(server: BenchServer, zoneLoaded: boolean): Promise<number> {
  const { pid } = startProcess(
    'named',
    ['-g', '-n', '1', '-c', server.mainConfig],
    server.logFile,
    process.pid,
  );
  const probe = ['+time=1', '+tries=1', '-p', String(server.port), '@127.0.0.1', `host1.${ORIGIN}`, 'A'];
  for (let attempt = 0; ; attempt++) {
    const answer = digOutput(zoneLoaded ? ['+short', ...probe] : probe);
    if (answer !== undefined && (!zoneLoaded || answer.trim() !== '')) return pid;
    if (!isAlive(pid) || attempt > 100)
      throw new Error(`${server.label} named does not answer; see ${server.logFile}`);
    await sleep(100);
  }
}

/** dig's output, undefined when no answer came. */
function digOutput(args: string[]): string | undefined {
  try {
    return execFileSync('dig', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** One dnsperf run against a freshly started named; its queries per second. */
async function measure(server: BenchServer, queryFile: string): Promise<number> {
  const pid = await startNamed(server, true);
  try {
    const output = execFileSync(
      'dnsperf',
      ['-s', '127.0.0.1', '-p', String(server.port), '-d', queryFile, '-c', '4', '-l', String(seconds)],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    const qps = /Queries per second:\s+([\d.]+)/.exec(output)?.[1];
    const lost = /Queries lost:\s+(\d+)/.exec(output)?.[1];
    if (!qps) throw new Error(`dnsperf printed no rate:\n${output}`);
    if (Number(lost) > 0) log(`${server.label}: ${lost} queries lost`);
    return Number(qps);
  } finally {
    await stopProcessGroup(pid);
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'servirt-bench-bind-'));
try {
  const queryFile = path.join(dir, 'queries.txt');
  await writeFile(
    queryFile,
    Array.from({ length: 100_000 }, () => `host${Math.floor(Math.random() * RECORDS)}.${ORIGIN} A\n`).join(
      '',
    ),
  );
  const generated = await generatedServer(path.join(dir, 'generated'));
  const baseline = await baselineServer(path.join(dir, 'baseline'));
  const results: Record<string, number[]> = { generated: [], baseline: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so that neither always runs on a machine just warmed up or tired.
    for (const server of round % 2 ? [generated, baseline] : [baseline, generated]) {
      const qps = await measure(server, queryFile);
      results[server.label]?.push(qps);
      log(`round ${round}/${rounds} ${server.label}: ${qps.toFixed(0)} queries/s`);
    }
  }
  const generatedQps = Math.round(median(results.generated ?? []));
  const baselineQps = Math.round(median(results.baseline ?? []));
  process.stdout.write(
    `${JSON.stringify({ generatedQps, baselineQps, ratio: Number((generatedQps / baselineQps).toFixed(3)), rounds })}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
