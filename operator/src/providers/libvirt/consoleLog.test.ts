import {
  consoleLogVolume,
  dropPartialFirstLine,
  isConsoleLogVolume,
  lastLines,
  parseConsoleLog,
  parsePoolDirectory,
  parseVolumeBytes,
  printableConsole,
  tailRange,
} from './consoleLog.js';

const LOG = consoleLogVolume('servirt-dns-ns1');

describe('console log volumes', () => {
  it('names the log after the domain', () => {
    expect(LOG).toBe('servirt-dns-ns1.console.log');
  });

  it.each([
    ['servirt-dns-ns1.console.log', true],
    ['servirt-dns-ns1.console.log.0', true],
    ['servirt-dns-ns1.console.log.2', true],
    ['servirt-dns-ns1.console.log.31', true],
    ['servirt-dns-ns1.console.log.32', false],
    ['servirt-dns-ns1.console.log.00', false],
    ['servirt-dns-ns1.console.log.1.bak', false],
    ['servirt-dns-ns1.console.log.', false],
    ['servirt-dns-ns1.console.logx', false],
    ['servirt-dns-ns10.console.log', false],
    ['servirt-dns-ns1-disk.qcow2', false],
    ['xservirt-dns-ns1.console.log', false],
  ])('%s is one of its volumes: %s', (volume, expected) => {
    expect(isConsoleLogVolume(volume, LOG)).toBe(expected);
  });
});

describe('parsePoolDirectory', () => {
  const pool = (type: string, target: string) =>
    `<pool type='${type}'>\n  <name>servirt</name>\n  <target>\n    <path>${target}</path>\n    <permissions><mode>0711</mode></permissions>\n  </target>\n</pool>\n`;

  it.each(['dir', 'fs', 'netfs'])('reads the target directory of a %s pool', (type) => {
    expect(parsePoolDirectory(pool(type, '/root/.cache/servirt/libvirt-pool/'))).toBe(
      '/root/.cache/servirt/libvirt-pool/',
    );
    expect(parsePoolDirectory(pool(type, '/var/lib/libvirt/images'))).toBe('/var/lib/libvirt/images');
  });

  it.each([
    ['a logical pool', pool('logical', '/dev/vg0')],
    ['an rbd pool', `<pool type='rbd'><name>ceph</name><source><name>rbd</name></source></pool>`],
    ['a relative path', pool('dir', 'images')],
    ['no target', `<pool type='dir'><name>x</name></pool>`],
  ])('gives no directory for %s', (_what, xml) => {
    expect(parsePoolDirectory(xml)).toBeUndefined();
  });
});

describe('parseConsoleLog', () => {
  const domain = (devices: string) =>
    `<domain type='qemu'><name>d</name><devices>${devices}</devices></domain>`;

  it('reads the serial port log, as libvirt dumps it (with the console mirroring it)', () => {
    const xml = domain(
      `<serial type='pty'><source path='/dev/pts/3'/><log file='/pool/d.console.log' append='on'/><target type='isa-serial' port='0'><model name='isa-serial'/></target><alias name='serial0'/></serial>` +
        `<console type='pty' tty='/dev/pts/3'><source path='/dev/pts/3'/><log file='/pool/d.console.log' append='on'/><target type='serial' port='0'/></console>`,
    );
    expect(parseConsoleLog(xml, 'servirt')).toEqual({
      pool: 'servirt',
      volume: 'd.console.log',
      path: '/pool/d.console.log',
    });
  });

  it.each([
    ['no log', domain(`<serial type='pty'><target port='0'/></serial>`)],
    ['no devices', `<domain type='xen'><name>d</name></domain>`],
    ['a relative file', domain(`<serial type='pty'><log file='d.log'/></serial>`)],
  ])('finds none with %s', (_what, xml) => {
    expect(parseConsoleLog(xml, 'servirt')).toBeUndefined();
  });
});

describe('reading a tail', () => {
  it('reads the size from vol-info --bytes', () => {
    const info =
      'Name:           d.console.log\nType:           file\nCapacity:       18342 bytes\nAllocation:     20480 bytes\n';
    expect(parseVolumeBytes(info)).toBe(18342);
    expect(parseVolumeBytes('Name: x\n')).toBeUndefined();
  });

  it.each([
    [100, 64, { offset: 36, length: 64 }],
    [10, 64, { offset: 0, length: 10 }],
    [0, 64, { offset: 0, length: 0 }],
  ])('takes the end of a file of %i bytes, at most %i', (size, tail, range) => {
    expect(tailRange(size, tail)).toEqual(range);
  });

  it('drops the partial first line of a cut read, never of a whole one', () => {
    expect(dropPartialFirstLine('ot: ok\nline 2\n', 40)).toBe('line 2\n');
    expect(dropPartialFirstLine('no newline at all', 40)).toBe('');
    expect(dropPartialFirstLine('first\nsecond\n', 0)).toBe('first\nsecond\n');
  });

  it.each([
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\n', 5, 'a\nb\n'],
    ['a\n', 0, ''],
    ['', 3, ''],
  ])('keeps the last lines of %j (%i)', (text, n, expected) => {
    expect(lastLines(text, n)).toBe(expected);
  });
});

describe('printableConsole', () => {
  it("strips a boot's terminal escapes and control characters, keeping tabs and newlines", () => {
    const raw = Buffer.from(
      '\u001b[0m\u001b[1;32m  OK  \u001b[0m] Started \u001b[0;1;39mssh.service\u001b[0m.\r\n' +
        '\u001b]0;title\u0007\u001bcreset\u001b(Bcharset\tcol\u0000\u0008\u007f\r\n' +
        'progress 10%\rprogress 20%\u009b2Kdone\r\r\n',
    );
    expect(printableConsole(raw)).toBe(
      '  OK  ] Started ssh.service.\nresetcharset\tcol\nprogress 10%\nprogress 20%done\n',
    );
  });

  it('replaces bytes that are not UTF-8 and keeps other text', () => {
    expect(printableConsole(Buffer.from([0x68, 0xff, 0x69, 0x0a]))).toBe('h\uFFFDi\n');
    expect(printableConsole('grüß dich — ✓\n')).toBe('grüß dich — ✓\n');
  });

  it('drops an escape sequence cut off at the end', () => {
    expect(printableConsole('text\u001b]0;unterminated')).toBe('text');
    expect(printableConsole('text\u001b[1;3')).toBe('text');
  });
});
