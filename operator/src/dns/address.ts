// IPv4 and IPv6 addresses in their canonical text forms (A and AAAA RDATA).

export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (
    parts.length !== 4 ||
    !parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255)
  ) {
    return undefined;
  }
  return Uint8Array.from(parts.map(Number));
}

export function formatIPv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** Accepts any RFC 4291 text form, a trailing dotted IPv4 part included. */
export function parseIPv6(text: string): Uint8Array | undefined {
  let groups: number[] | undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string, halves.length === 1);
  if (halves.length === 1) groups = head;
  else {
    const tail = parseGroups(halves[1] as string, true);
    if (head && tail && head.length + tail.length <= 7) {
      groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
    }
  }
  if (groups?.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

/** Groups of "1:2:3", the last part possibly dotted IPv4 when mayEndInIPv4. */
function parseGroups(text: string, mayEndInIPv4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (mayEndInIPv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/**
 * RFC 5952 section 4: lowercase hex without leading zeros, the longest run (first if tied) of two
 * or more zero groups as ::. IPv4-mapped addresses too are hex (::ffff:c000:201), though BIND
 * prints them as ::ffff:192.0.2.1.
 */
export function formatIPv6(bytes: Uint8Array): string {
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number),
  );
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
