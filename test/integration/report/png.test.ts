import { deflateSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { countColor, decodePng } from './png.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]); // the decoder skips CRCs
}

/** A PNG of the given pixel rows, row y filtered with filter type y % 5. */
function encode(rows: number[][], channels: 3 | 4): Buffer {
  const width = (rows[0]?.length ?? 0) / channels;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(rows.length, 4);
  header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c;
    const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  const raw = rows.flatMap((row, y) => {
    const filter = y % 5;
    const above = rows[y - 1];
    return [
      filter,
      ...row.map((value, i) => {
        const a = i >= channels ? (row[i - channels] ?? 0) : 0;
        const b = above?.[i] ?? 0;
        const c = i >= channels ? (above?.[i - channels] ?? 0) : 0;
        const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
        return (value - predictor) & 0xff;
      }),
    ];
  });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(raw))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodePng', () => {
  const pixels = (width: number, height: number, channels: number) =>
    Array.from({ length: height }, (_, y) =>
      Array.from({ length: width * channels }, (_, i) => (y * 37 + i * 101 + ((y * i) % 13)) & 0xff),
    );

  it.each([3, 4] as const)('decodes all five filter types with %i channels', (channels) => {
    const rows = pixels(7, 10, channels);
    const png = decodePng(encode(rows, channels));
    expect([png.width, png.height]).toEqual([7, 10]);
    rows.forEach((row, y) => {
      for (let x = 0; x < 7; x++) {
        const expected = row.slice(x * channels, x * channels + channels);
        expect(png.pixel(x, y)).toEqual(channels === 4 ? expected : [...expected, 255]);
      }
    });
  });

  it('counts pixels of a color within a tolerance', () => {
    const png = decodePng(encode([[10, 20, 30, 12, 18, 33, 200, 200, 200]], 3));
    expect(countColor(png, [10, 20, 30], 0)).toBe(1);
    expect(countColor(png, [10, 20, 30], 3)).toBe(2);
  });

  it('rejects what it cannot read', () => {
    expect(() => decodePng(Buffer.from('GIF89a'))).toThrow('not a PNG');
  });
});
