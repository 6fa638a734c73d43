import { parseHostFacts } from './hostFacts.js';

const TEST_DRIVER = `Compiled against library: libvirt 9.0.0
Using library: libvirt 9.0.0
Using API: TEST 9.0.0
Running hypervisor: TEST 0.0.2

CPU model:           i686
CPU(s):              16
CPU frequency:       1400 MHz
Memory size:         3145728 KiB
`;

const QEMU = `Compiled against library: libvirt 9.0.0
Using library: libvirt 9.0.0
Using API: QEMU 9.0.0
Running hypervisor: QEMU 7.2.0

CPU model:           x86_64
CPU(s):              2
Memory size:         24570016 KiB
`;

describe('parseHostFacts', () => {
  it.each([
    [
      TEST_DRIVER,
      {
        hypervisorType: 'TEST',
        hypervisorVersion: '0.0.2',
        libvirtVersion: '9.0.0',
        cpus: 16,
        memoryMiB: 3072,
      },
    ],
    [
      QEMU,
      {
        hypervisorType: 'QEMU',
        hypervisorVersion: '7.2.0',
        libvirtVersion: '9.0.0',
        cpus: 2,
        memoryMiB: 23994,
      },
    ],
  ])('parses virsh version + nodeinfo (%#)', (output, facts) => {
    expect(parseHostFacts(output)).toEqual(facts);
  });

  it('rejects output it does not understand', () => {
    expect(() => parseHostFacts('error: failed to connect')).toThrow(/unexpected virsh output/);
  });
});
