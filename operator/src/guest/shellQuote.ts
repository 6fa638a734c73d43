/** Quotes one argument for a POSIX shell: the only way argv reaches a remote command over SSH. */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_./=:@%+,-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(shellQuote).join(' ');
}
