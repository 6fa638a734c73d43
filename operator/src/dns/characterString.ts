// Character-strings (RFC 1035 §3.3) in presentation form: the text of TXT records, CAA values and
// NAPTR fields. Presentation text here is a byte string: every char code is one byte (< 256).

/** The longest character-string: one length byte. */
export const MAX_CHARACTER_STRING = 255;

/** The bytes that presentation text stands for: `\X` is X and `\DDD` the byte DDD (decimal). */
export function decodeEscapes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`character ${JSON.stringify(text[i])} is not a byte`);
    if (code !== 0x5c) {
      bytes.push(code);
      continue;
    }
    const digits = /^[0-9]{1,3}/.exec(text.slice(i + 1, i + 4))?.[0];
    if (digits === undefined) {
      if (i + 1 >= text.length) throw new Error('a backslash ends the text');
      bytes.push(text.charCodeAt(i + 1));
      i += 1;
      continue;
    }
    const value = Number(digits);
    if (digits.length !== 3 || value > 0xff)
      throw new Error(`bad escape \\${digits}: \\DDD needs three digits, 000 to 255`);
    bytes.push(value);
    i += 3;
  }
  return Uint8Array.from(bytes);
}

/** Cuts bytes into character-strings of 255 bytes, the last one shorter; no bytes give one empty string. */
export function splitCharacterStrings(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length === 0) return [new Uint8Array()];
  const strings: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += MAX_CHARACTER_STRING) {
    strings.push(bytes.subarray(start, start + MAX_CHARACTER_STRING));
  }
  return strings;
}

/** A character-string decoded from presentation text, rejected when longer than 255 bytes. */
export function characterString(text: string): Uint8Array {
  const bytes = decodeEscapes(text);
  if (bytes.length > MAX_CHARACTER_STRING) {
    throw new Error(`a character-string holds at most 255 bytes, this one has ${bytes.length}`);
  }
  return bytes;
}
