import { parseSizing } from './sizing.js';

describe('parseSizing', () => {
  it('reads vcpus and memory in the units libvirt writes', () => {
    const xml = `<domain><memory unit='KiB'>1048576</memory><currentMemory unit='KiB'>524288</currentMemory>
      <vcpu placement='static' current='1'>2</vcpu></domain>`;
    expect(parseSizing(xml)).toEqual({ vcpus: 1, maxVcpus: 2, memoryMiB: 512, maxMemoryMiB: 1024 });
  });

  it('takes the maximums as current when no current is given, MiB and GiB units too', () => {
    expect(parseSizing("<memory unit='MiB'>768</memory><vcpu>2</vcpu>")).toEqual({
      vcpus: 2,
      maxVcpus: 2,
      memoryMiB: 768,
      maxMemoryMiB: 768,
    });
    expect(parseSizing("<memory unit='GiB'>2</memory><vcpu>1</vcpu>")?.memoryMiB).toBe(2048);
  });

  it('is undefined without them', () => {
    expect(parseSizing('<domain/>')).toBeUndefined();
  });
});
