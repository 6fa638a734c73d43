import { execFileSync } from 'node:child_process';
import { shellCommand, shellQuote } from './shellQuote.js';

describe('shellQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['/etc/bind/named.conf', '/etc/bind/named.conf'],
    ['', "''"],
    ['two words', "'two words'"],
    ["it's", `'it'\\''s'`],
    ['$(reboot)', "'$(reboot)'"],
    ['a;b|c&d`e`\n', "'a;b|c&d`e`\n'"],
  ])('%j -> %s', (input, quoted) => {
    expect(shellQuote(input)).toBe(quoted);
  });

  it('round-trips hostile arguments through a real shell unchanged', () => {
    const argv = ['printf', '%s\\0', "it's", '$(id)', '`id`', 'a b', '*', '; rm -rf /', '\n', '"'];
    const output = execFileSync('sh', ['-c', shellCommand(argv)]).toString();
    expect(output.split('\0').slice(0, -1)).toEqual(argv.slice(2));
  });

  it('refuses an empty command', () => {
    expect(() => shellCommand([])).toThrow(/empty/);
  });
});
