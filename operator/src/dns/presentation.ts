// Pieces of RDATA presentation format: tokens, quoted character-strings, numbers and hex.

export class RdataSyntaxError extends Error {
  override name = 'RdataSyntaxError';
}

/** A word of RDATA text; a quoted one carries its unescaped bytes. */
export type Token = { quoted: false; text: string } | { quoted: true; text: string; bytes: Uint8Array };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Splits RDATA text at spaces, keeping "quoted strings" (with \X and \DDD escapes) whole. */
export function tokenize(data: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < data.length) {
    if (data[i] === ' ') {
      i++;
      continue;
    }
    const start = i;
    if (data.charCodeAt(i) === QUOTE) {
      const bytes: number[] = [];
      for (i++; ; i++) {
        if (i >= data.length)
          throw new RdataSyntaxError(`unterminated quoted string in ${JSON.stringify(data)}`);
        const code = data.charCodeAt(i);
        if (code === QUOTE) break;
        if (code === BACKSLASH) i = unescape(data, i, bytes);
        else if (code < 0x20 || code > 0x7e) throw nonPrintable(data);
        else bytes.push(code);
      }
      i++;
      if (i < data.length && data[i] !== ' ') {
        throw new RdataSyntaxError(`no space after a quoted string in ${JSON.stringify(data)}`);
      }
      tokens.push({ quoted: true, text: data.slice(start, i), bytes: Uint8Array.from(bytes) });
    } else {
      for (; i < data.length && data[i] !== ' '; i++) {
        const code = data.charCodeAt(i);
        if (code < 0x20 || code > 0x7e) throw nonPrintable(data);
        if (code === BACKSLASH) i++;
      }
      tokens.push({ quoted: false, text: data.slice(start, i) });
    }
  }
  return tokens;
}

/** Reads the escape at data[at] (a backslash) into bytes; returns the index of its last character. */
function unescape(data: string, at: number, bytes: number[]): number {
  const decimal = /^[0-9]{3}/.exec(data.slice(at + 1, at + 4));
  if (decimal) {
    const value = Number(decimal[0]);
    if (value > 255) throw new RdataSyntaxError(`\\${decimal[0]} is not a byte in ${JSON.stringify(data)}`);
    bytes.push(value);
    return at + 3;
  }
  const next = data.charCodeAt(at + 1);
  if (!(next >= 0x20 && next <= 0x7e))
    throw new RdataSyntaxError(`dangling backslash in ${JSON.stringify(data)}`);
  bytes.push(next);
  return at + 1;
}

function nonPrintable(data: string): RdataSyntaxError {
  return new RdataSyntaxError(
    `characters outside printable ASCII must be written \\DDD: ${JSON.stringify(data)}`,
  );
}

/** `"…"` with `"` and `\` backslash-escaped and bytes outside 0x20–0x7e as \DDD. */
export function quoteString(bytes: Uint8Array): string {
  let text = '"';
  for (const byte of bytes) {
    if (byte === QUOTE || byte === BACKSLASH) text += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) text += `\\${String(byte).padStart(3, '0')}`;
    else text += String.fromCharCode(byte);
  }
  return `${text}"`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

export function parseHex(text: string): Buffer {
  if (!/^([0-9A-Fa-f]{2})*$/.test(text))
    throw new RdataSyntaxError(`invalid hexadecimal ${JSON.stringify(text)}`);
  return Buffer.from(text, 'hex');
}

/** Reads tokens of one RDATA in order, with errors that name the record type. */
export class TokenCursor {
  private index = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly type: string,
  ) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  fail(why: string): RdataSyntaxError {
    return new RdataSyntaxError(`invalid ${this.type} data: ${why}`);
  }

  next(what: string): Token {
    const token = this.tokens[this.index++];
    if (token === undefined) throw this.fail(`${what} missing`);
    return token;
  }

  word(what: string): string {
    const token = this.next(what);
    if (token.quoted) throw this.fail(`${what} must not be quoted`);
    return token.text;
  }

  quoted(what: string): Uint8Array {
    const token = this.next(what);
    if (!token.quoted) throw this.fail(`${what} must be a "quoted string"`);
    if (token.bytes.length > 255) throw this.fail(`${what} longer than 255 bytes`);
    return token.bytes;
  }

  number(what: string, max: number): number {
    const text = this.word(what);
    const value = /^(0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : NaN;
    if (!(value <= max)) throw this.fail(`${what} must be a decimal number from 0 to ${max}, not ${text}`);
    return value;
  }

  /** The rest of the tokens as one hexadecimal string (empty when there are none). */
  hexTail(what: string): Buffer {
    const hex = this.tokens
      .slice(this.index)
      .map((token) => (token.quoted ? '"' : token.text))
      .join('');
    this.index = this.tokens.length;
    try {
      return parseHex(hex);
    } catch {
      throw this.fail(`${what} must be hexadecimal`);
    }
  }

  end(): void {
    if (!this.done) throw this.fail(`unexpected ${JSON.stringify(this.tokens[this.index]?.text)}`);
  }
}
