// npm run bench:web-config [-- --rounds N --seconds S]: request throughput of Apache serving a
// site with the virtual host the operator generates, side by side with a hand-tuned baseline
// virtual host. Both servers are the same Debian Apache (localMainConfig: Debian's modules, event
// MPM settings and server defaults) serving the same 40-byte page: (a) set up as the operator
// sets up a guest (first-boot server configuration, ApacheControl.deploySite over SSH), (b) one
// plain virtual host written by hand as on Debian (no listing, no .htaccess, its own logs, no
// extra headers). Each round starts one server, runs wrk over loopback (one thread, 32
// connections), stops it, then the other: one server at a time on this 2-core machine. Prints
// one JSON line last: {generatedRps, baselineRps, ratio, rounds} (medians over the rounds).
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApacheControl } from '../../operator/src/guest/apache/control.js';
import { contentHash } from '../../operator/src/guest/apache/model.js';
import { SECURITY_HEADERS } from '../../operator/src/guest/apache/config.js';
import { startApacheServers, type ApacheTestServer } from '../integration/apache/apacheServer.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '10' } },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const log = (message: string) => process.stderr.write(`[bench:web-config] ${message}\n`);

const HOST = 'www.bench.test';
const PAGE = Buffer.from('<!doctype html><title>b</title>servirt!\n');
if (PAGE.length !== 40) throw new Error(`the page has ${PAGE.length} bytes, not 40`);

/** (a) The site as the operator deploys it, through the server's sshd. */
async function deployGenerated(server: ApacheTestServer): Promise<void> {
  const content = new Map([['index.html', PAGE]]);
  const control = new ApacheControl(await server.channel(), server.layout);
  await control.deploySite(
    { name: 'bench_www', hostNames: [HOST], contentHash: contentHash(content) },
    content,
  );
}

/**
 * (b) A virtual host as one would write it by hand for speed, in place of servirt's server
 * configuration: the same content, logs and security headers (the site must send them either way),
 * the same file-serving tuning (no mmap, sendfile), no default hosts, no release link.
 */
async function writeBaseline(server: ApacheTestServer): Promise<void> {
  const root = path.join(server.layout.contentRoot, 'bench');
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'index.html'), PAGE);
  await writeFile(
    server.layout.serverConfigFile,
    `<VirtualHost *:${server.httpPort}>
\tServerName ${HOST}
\tDocumentRoot "${root}"
\t<Directory "${root}">
\t\tOptions FollowSymLinks
\t\tAllowOverride None
\t\tRequire all granted
\t</Directory>
\tEnableMMAP Off
\tEnableSendfile On
${SECURITY_HEADERS.map((line) => `\t${line}\n`).join('')}\tErrorLog "${server.layout.logDir}/bench.error.log"
\tCustomLog "${server.layout.logDir}/bench.access.log" combined
</VirtualHost>
`,
  );
}

function wrk(port: number, durationSeconds: number): number {
  const output = execFileSync(
    'wrk',
    ['-t1', '-c32', `-d${durationSeconds}s`, '--latency', '-H', `Host: ${HOST}`, `http://127.0.0.1:${port}/`],
    { encoding: 'utf8' },
  );
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  if (!rate) throw new Error(`wrk printed no rate:\n${output}`);
  if (/Non-2xx or 3xx responses/.test(output)) throw new Error(`wrk got errors:\n${output}`);
  return Number(rate);
}

/** One wrk run against a freshly started server (after a second of warm-up); its requests per second. */
async function measure(server: ApacheTestServer): Promise<number> {
  await server.restart();
  try {
    const page = await server.get('/', { host: HOST });
    if (page.body !== PAGE.toString()) throw new Error(`${server.name} serves ${page.status} ${page.body}`);
    wrk(server.httpPort, 1);
    return wrk(server.httpPort, seconds);
  } finally {
    await server.shutdown();
  }
}

const servers = await startApacheServers(2, ['generated', 'baseline']);
try {
  const [generated, baseline] = servers as [ApacheTestServer, ApacheTestServer];
  await deployGenerated(generated);
  await generated.shutdown();
  await baseline.shutdown();
  await writeBaseline(baseline);
  const results: Record<string, number[]> = { generated: [], baseline: [] };
  for (let round = 1; round <= rounds; round++) {
    // Alternate which goes first, so that neither always runs on a machine just warmed up or tired.
    for (const server of round % 2 ? [generated, baseline] : [baseline, generated]) {
      const rps = await measure(server);
      results[server.name]?.push(rps);
      log(`round ${round}/${rounds} ${server.name}: ${rps.toFixed(0)} requests/s`);
    }
  }
  const generatedRps = Math.round(median(results.generated ?? []));
  const baselineRps = Math.round(median(results.baseline ?? []));
  process.stdout.write(
    `${JSON.stringify({ generatedRps, baselineRps, ratio: Number((generatedRps / baselineRps).toFixed(3)), rounds })}\n`,
  );
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
