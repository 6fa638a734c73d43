#!/usr/bin/env node
// The servirt command line, for work next to the operator. Commands:
//   servirt zone import FILE --origin NAME …   print a DnsZone manifest made from a BIND zone file
//   servirt bench run                          one repeat of a Benchmark run (inside its Job)
//   servirt guest console NAME [-n NS] …       print the end of a guest's serial console log
import { ZONE_IMPORT_USAGE, zoneImportCommand } from './zoneImport.js';
import { BENCH_RUN_USAGE, benchRunCommand } from './benchRun.js';
import { GUEST_CONSOLE_USAGE, guestConsoleCommand } from './guestConsole.js';

const output = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

async function main(args: string[]): Promise<number> {
  const [group, command, ...rest] = args;
  if (group === 'zone' && command === 'import') return zoneImportCommand(rest, output);
  if (group === 'bench' && command === 'run') return benchRunCommand(rest, output);
  if (group === 'guest' && command === 'console') return guestConsoleCommand(rest, output);
  const help = group === undefined || group === 'help' || group === '--help' || group === '-h';
  (help ? output.stdout : output.stderr)(
    `${ZONE_IMPORT_USAGE}\n${BENCH_RUN_USAGE}\n${GUEST_CONSOLE_USAGE}\n`,
  );
  return help ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2));
