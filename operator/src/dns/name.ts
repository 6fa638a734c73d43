// Domain names in presentation form (RFC 1035 5.1) and as label lists.

/** A domain name as its labels, root excluded: `www.example.com.` is [www, example, com]. */
export type Labels = Uint8Array[];

const MAX_LABEL = 63;
const MAX_NAME_WIRE = 255;

const DOT = 0x2e;
const BACKSLASH = 0x5c;
/** Printable characters BIND escapes with a backslash inside a label. */
const ESCAPED_IN_LABEL = new Set([...'".;\\()@$'].map((c) => c.charCodeAt(0)));

export class NameSyntaxError extends Error {
  override name = 'NameSyntaxError';
}

/**
 * Labels of an absolute name in presentation form (`\.` and `\DDD` escapes allowed); `.` is the
 * root. Bytes keep their case.
 */
export function parseName(text: string): Labels {
  const fail = (why: string) => new NameSyntaxError(`invalid domain name ${JSON.stringify(text)}: ${why}`);
  if (text === '.') return [];
  if (text === '') throw fail('empty');
  const labels: Labels = [];
  let label: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7e || code <= 0x20) throw fail('characters outside printable ASCII must be \\DDD');
    if (code === DOT) {
      if (label.length === 0) throw fail('empty label');
      labels.push(Uint8Array.from(label));
      label = [];
    } else if (code === BACKSLASH) {
      const decimal = /^[0-9]{3}/.exec(text.slice(i + 1, i + 4));
      if (decimal) {
        const value = Number(decimal[0]);
        if (value > 255) throw fail(`\\${decimal[0]} is not a byte`);
        label.push(value);
        i += 3;
      } else {
        const next = text.charCodeAt(i + 1);
        if (!(next >= 0x20 && next <= 0x7e)) throw fail('dangling backslash');
        label.push(next);
        i += 1;
      }
    } else {
      label.push(code);
    }
    if (label.length > MAX_LABEL) throw fail(`label longer than ${MAX_LABEL} bytes`);
  }
  if (label.length > 0) throw fail('not absolute (no trailing dot)');
  if (nameWireLength(labels) > MAX_NAME_WIRE) throw fail(`longer than ${MAX_NAME_WIRE} bytes`);
  return labels;
}

function endsWithUnescapedDot(text: string): boolean {
  let backslashes = 0;
  for (let i = text.length - 2; i >= 0 && text[i] === '\\'; i--) backslashes++;
  return text.endsWith('.') && backslashes % 2 === 0;
}

/** Canonical presentation form: lowercase ASCII, trailing dot, BIND's escapes. */
export function formatName(labels: Labels): string {
  if (labels.length === 0) return '.';
  let text = '';
  for (const label of labels) {
    for (const byte of label) {
      const lower = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
      if (lower <= 0x20 || lower >= 0x7f) text += `\\${String(lower).padStart(3, '0')}`;
      else if (ESCAPED_IN_LABEL.has(lower)) text += `\\${String.fromCharCode(lower)}`;
      else text += String.fromCharCode(lower);
    }
    text += '.';
  }
  return text;
}

/** A name as callers may write it (`Example.COM` or `example.com.`) in canonical form. */
export function normalizeName(text: string): string {
  return formatName(parseName(endsWithUnescapedDot(text) || text === '.' ? text : `${text}.`));
}

/** Parses a name that must already be in canonical form. */
export function parseCanonicalName(text: string): Labels {
  const labels = parseName(text);
  const canonical = formatName(labels);
  if (canonical !== text) {
    throw new NameSyntaxError(`domain name ${JSON.stringify(text)} is not canonical: write ${canonical}`);
  }
  return labels;
}

export function nameWireLength(labels: Labels): number {
  return labels.reduce((length, label) => length + 1 + label.length, 1);
}

/** Uncompressed wire form, lowercased (RFC 4034 6.2), as TSIG digests use it. */
export function canonicalNameWire(labels: Labels): Uint8Array {
  const wire = new Uint8Array(nameWireLength(labels));
  let at = 0;
  for (const label of labels) {
    wire[at++] = label.length;
    for (const byte of label) wire[at++] = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
  }
  return wire;
}
