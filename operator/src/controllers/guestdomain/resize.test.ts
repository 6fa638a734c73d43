import { resizePlan } from './resize.js';

const size = (vcpus: number, memoryMiB: number, maxVcpus = vcpus, maxMemoryMiB = memoryMiB) => ({
  vcpus,
  maxVcpus,
  memoryMiB,
  maxMemoryMiB,
});

describe('resizePlan', () => {
  it('changes nothing when the domain has the size', () => {
    expect(resizePlan({ vcpus: 2, memoryMiB: 512 }, size(2, 512), size(2, 512))).toEqual({ steps: [] });
  });

  it('grows the definition maximum first and leaves a growth past the live maximum for a restart', () => {
    expect(resizePlan({ vcpus: 2, memoryMiB: 1024 }, size(1, 512), size(1, 512))).toEqual({
      steps: [
        { kind: 'maxVcpus', scope: 'config', value: 2 },
        { kind: 'vcpus', scope: 'config', value: 2 },
        { kind: 'maxMemory', scope: 'config', value: 1024 },
        { kind: 'memory', scope: 'config', value: 1024 },
      ],
      pendingRestart: 'vcpus 1 → 2, memory 512 → 1024 MiB',
    });
  });

  it('shrinks current before the maximum, and live within the live maximums', () => {
    expect(resizePlan({ vcpus: 1, memoryMiB: 256 }, size(2, 512), size(2, 512))).toEqual({
      steps: [
        { kind: 'vcpus', scope: 'config', value: 1 },
        { kind: 'maxVcpus', scope: 'config', value: 1 },
        { kind: 'memory', scope: 'config', value: 256 },
        { kind: 'maxMemory', scope: 'config', value: 256 },
        { kind: 'vcpus', scope: 'live', value: 1 },
        { kind: 'memory', scope: 'live', value: 256 },
      ],
    });
  });

  it('touches only the definition of a domain that is not running', () => {
    expect(resizePlan({ vcpus: 4, memoryMiB: 512 }, size(2, 512))).toEqual({
      steps: [
        { kind: 'maxVcpus', scope: 'config', value: 4 },
        { kind: 'vcpus', scope: 'config', value: 4 },
      ],
    });
  });

  it('grows live up to a live maximum above the current size', () => {
    expect(resizePlan({ vcpus: 3, memoryMiB: 512 }, size(3, 512), size(2, 512, 4, 512)).steps).toEqual([
      { kind: 'vcpus', scope: 'live', value: 3 },
    ]);
  });
});
