#!/usr/bin/env node
// The servirt command line, for work next to the operator. Commands:
//   servirt zone import FILE --origin NAME …   print a DnsZone manifest made from a BIND zone file
//   servirt bench run                          one repeat of a Benchmark run (inside its Job)
import { ZONE_IMPORT_USAGE, zoneImportCommand } from './zoneImport.js';
import { BENCH_RUN_USAGE, benchRunCommand } from './benchRun.js';

const output = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

async function main(args: string[]): Promise<number> {
  const [group, command, ...rest] = args;
  if (group === 'zone' && command === 'import') return zoneImportCommand(rest, output);
  if (group === 'bench' && command === 'run') return benchRunCommand(rest, output);
  const help = group === undefined || group === 'help' || group === '--help' || group === '-h';
  (help ? output.stdout : output.stderr)(`${ZONE_IMPORT_USAGE}\n${BENCH_RUN_USAGE}\n`);
  return help ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
