import { inflateSync } from 'node:zlib';

export type Rgba = [number, number, number, number];

export interface DecodedPng {
  width: number;
  height: number;
  pixel(x: number, y: number): Rgba;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const byte = (buffer: Buffer, index: number): number => buffer[index] ?? 0;

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes). */
export function decodePng(buffer: Buffer): DecodedPng {
  if (!buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let offset = 8; offset + 8 <= buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const chunk = buffer.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      width = chunk.readUInt32BE(0);
      height = chunk.readUInt32BE(4);
      const [depth, colorType, , , interlace] = chunk.subarray(8, 13);
      if (depth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0) {
        throw new Error(
          `unsupported PNG: bit depth ${depth}, color type ${colorType}, interlace ${interlace}`,
        );
      }
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(chunk);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!channels) throw new Error('PNG without IHDR');
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG image data too short');
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    if (filter === undefined || filter > 4) throw new Error(`bad PNG filter ${filter} in row ${y}`);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? byte(pixels, out + i - channels) : 0;
      const b = y > 0 ? byte(pixels, out - stride + i) : 0;
      const c = y > 0 && i >= channels ? byte(pixels, out - stride + i - channels) : 0;
      const predictor =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      pixels[out + i] = (byte(line, i) + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel(x, y) {
      const i = y * stride + x * channels;
      return [
        byte(pixels, i),
        byte(pixels, i + 1),
        byte(pixels, i + 2),
        channels === 4 ? byte(pixels, i + 3) : 255,
      ];
    },
  };
}

/** Whether a pixel is within tolerance of color in each of red, green and blue. */
export function isColor([r, g, b]: Rgba, color: [number, number, number], tolerance: number): boolean {
  return (
    Math.abs(r - color[0]) <= tolerance &&
    Math.abs(g - color[1]) <= tolerance &&
    Math.abs(b - color[2]) <= tolerance
  );
}

/** How many pixels are within tolerance of color. */
export function countColor(png: DecodedPng, color: [number, number, number], tolerance = 0): number {
  let count = 0;
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) if (isColor(png.pixel(x, y), color, tolerance)) count++;
  }
  return count;
}
