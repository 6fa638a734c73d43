import type { GuestDomain } from '../../api/types.generated.js';
import { allocation } from './allocation.js';

const guest = (vcpus: number, memoryMiB: number) =>
  ({
    metadata: { name: 'g' },
    spec: { vcpus, memoryMiB, virtualHostRef: { name: 'h' }, disk: { baseImage: 'b' } },
  }) as GuestDomain;

describe('allocation', () => {
  it.each([
    [[], { vcpus: 0, memoryMiB: 0, guests: 0 }],
    [[guest(1, 512)], { vcpus: 1, memoryMiB: 512, guests: 1 }],
    [[guest(2, 1024), guest(4, 2048), guest(1, 128)], { vcpus: 7, memoryMiB: 3200, guests: 3 }],
  ])('%#', (guests, expected) => {
    expect(allocation(guests)).toEqual(expected);
  });
});
