// npm run zone:roundtrip -- FILE ORIGIN: checks that a zone would migrate faithfully. It imports the
// zone file as `servirt zone import` does, has the DnsZone controller serve it from a real BIND
// primary (ns1) and secondary (ns2), transfers the zone from both with dig (the secondary with
// its primary's transfer key) and compares what each serves with the original, all as
// named-checkzone loads them (zoneComparison.ts). Progress goes to stderr; the last stdout line is
// JSON: {match, records, differences[, differenceCount]}.
// Exit code 0 on a match, 1 on differences, 2 when the check itself could not be made.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ControlPlane } from '../../hack/cluster/controlPlane.js';
import { installCrds } from '../../hack/cluster/crds.js';
import type { DnsZone } from '../../operator/src/api/types.generated.js';
import { dnsZoneManifest } from '../../operator/src/cli/zoneImport.js';
import { parseZoneFile } from '../../operator/src/dns/zoneFile.js';
import { resourcePath, SECRETS } from '../../operator/src/kube/resourcePath.js';
import { startDnsEnvironment, type DnsEnvironment } from '../integration/dnszone/environment.js';
import { canonicalRecords, compareZones, droppedOnImport, type ServedZone } from './zoneComparison.js';
import { axfr, bindDump, type TransferKey } from './zoneSources.js';
import type { BindTestServer } from '../integration/bind/bindServer.js';

const USAGE = 'usage: npm run zone:roundtrip -- FILE ORIGIN [--timeout SECONDS]';
const NAMESPACE = 'roundtrip';
const SERVERS = ['ns1', 'ns2'];
const MAX_LISTED = 50;
const started = performance.now();
const log = (message: string) =>
  process.stderr.write(`[zone:roundtrip ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

/** Cleanup steps, run last first, on every way out: a match, differences, an error or a signal. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (let step = cleanups.pop(); step; step = cleanups.pop())
    await step().catch((error: Error) => log(`cleanup: ${error.message}`));
}

/** Awaits something that needs stopping, registers how, and ends the run there if a signal came. */
async function owned<T>(starting: Promise<T>, stop: (value: T) => Promise<unknown>): Promise<T> {
  const value = await starting;
  cleanups.push(() => stop(value));
  stopIfInterrupted();
  return value;
}

let interrupted: NodeJS.Signals | undefined;
const stopIfInterrupted = () => {
  if (interrupted) throw new Error(`stopped by ${interrupted}`);
};
// A signal ends the run at its next step, whose cleanup is registered by then; npm and tsx pass a
// Ctrl-C on as well, so later ones are ignored.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!interrupted) log(`${signal}: stopping after this step, then cleaning up`);
    interrupted ??= signal;
  });
}

async function main(): Promise<number> {
  const { file, origin, timeoutMs } = readArguments();
  try {
    return await roundtrip(file, origin, timeoutMs);
  } finally {
    await cleanUp();
  }
}

function readArguments(): { file: string; origin: string; timeoutMs: number } {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { timeout: { type: 'string', default: '90' } },
  });
  const [file, origin] = positionals;
  const timeoutMs = Number(values.timeout) * 1000;
  if (positionals.length !== 2 || !file || !origin || !(timeoutMs > 0)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  return { file, origin: origin.toLowerCase().replace(/\.$/, ''), timeoutMs };
}

async function roundtrip(file: string, origin: string, timeoutMs: number): Promise<number> {
  const zoneFile = parseZoneFile(await readFile(file), origin);
  const { manifest, warnings } = dnsZoneManifest(zoneFile, {
    namespace: NAMESPACE,
    primary: SERVERS[0],
    secondaries: SERVERS.slice(1),
  });
  for (const { line, message } of warnings)
    log(`${line === undefined ? file : `${file}:${line}`}: import warning: ${message}`);
  const entries = manifest.spec.records?.length ?? 0;
  log(
    `read ${zoneFile.records.length} records; DnsZone ${manifest.metadata.name} holds the SOA and ${entries}`,
  );
  const original = canonicalRecords(await bindDump(origin, path.resolve(file)), origin);

  const dir = await owned(mkdtemp(path.join(os.tmpdir(), 'servirt-zone-roundtrip-')), (dir) =>
    rm(dir, { recursive: true, force: true }),
  );
  log('starting a control plane');
  const plane = await owned(ControlPlane.start(path.join(dir, 'control-plane'), process.pid), (plane) =>
    plane.stop(),
  );
  await installCrds(plane.kubeconfigPath);
  log(`starting named for ${SERVERS.join(' and ')} and the DnsZone controller`);
  const env = await owned(startDnsEnvironment(plane.kubeconfigPath, NAMESPACE, SERVERS), (env) => env.stop());

  await env.applyZone(manifest);
  const zone = await untilReady(env, manifest.metadata.name ?? '', timeoutMs);
  log(`Ready: ${readyCondition(zone)?.message}`);
  // The primary is read with the zone's key; a secondary with its primary's transfer key, the
  // only key it allows transfers with.
  const keys = [
    await keyFrom(
      env,
      zone.status?.tsigSecretName ?? `${zone.metadata.name}-tsig`,
      `${zone.spec.origin}-transfer`,
    ),
  ];
  keys.push(await keyFrom(env, `${SERVERS[0]}-dns-transfer`, `servirt-transfer.${SERVERS[0]}`));
  const served: ServedZone[] = [];
  for (const [index, name] of SERVERS.entries()) {
    const transferred = path.join(dir, `${name}.zone`);
    const server = env.servers.get(name) as BindTestServer;
    await writeFile(
      transferred,
      await axfr(server.dnsPort, origin, keys[index === 0 ? 0 : 1] as TransferKey),
    );
    served.push({ server: name, records: canonicalRecords(await bindDump(origin, transferred), origin) });
    log(`${name}: ${served.at(-1)?.records.size} records by AXFR`);
  }

  const result = compareZones(original, served, droppedOnImport(warnings));
  const listed = result.differences.slice(0, MAX_LISTED);
  log(result.match ? 'every server serves the original zone' : `${result.differences.length} differences`);
  console.log(
    JSON.stringify({
      match: result.match,
      records: result.records,
      differences: listed,
      ...(listed.length < result.differences.length && { differenceCount: result.differences.length }),
    }),
  );
  return result.match ? 0 : 1;
}

const readyCondition = (zone: DnsZone | undefined) =>
  zone?.status?.conditions?.find((condition) => condition.type === 'Ready');

/** The zone once Ready for its current generation; throws with the Ready condition after timeoutMs. */
async function untilReady(env: DnsEnvironment, name: string, timeoutMs: number): Promise<DnsZone> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const zone = await env.getZone(name);
    const ready = readyCondition(zone);
    if (zone && ready?.status === 'True' && ready.observedGeneration === zone.metadata.generation)
      return zone;
    stopIfInterrupted();
    if (performance.now() > deadline) {
      const state = ready ? `${ready.status} (${ready.reason}): ${ready.message}` : 'not reported yet';
      throw new Error(`DnsZone ${name} not Ready within ${timeoutMs / 1000} s; Ready is ${state}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function keyFrom(env: DnsEnvironment, secretName: string, keyName: string): Promise<TransferKey> {
  const secret = await env.client.request<{ data?: { secret?: string } }>({
    method: 'GET',
    path: resourcePath(SECRETS, { namespace: NAMESPACE, name: secretName }),
  });
  const material = secret.data?.secret;
  if (!material) throw new Error(`Secret ${secretName} has no field "secret"`);
  return { name: keyName, secret: Buffer.from(material, 'base64').toString() };
}

process.exitCode = await main().catch((error: Error) => {
  // A Ctrl-C reaches the tools a step runs (kubectl, dig) too: their failure is the interruption.
  const message = interrupted ? `stopped by ${interrupted}` : error.message;
  log(`error: ${message}`);
  console.log(JSON.stringify({ match: false, error: message }));
  return interrupted ? 130 : 2;
});
