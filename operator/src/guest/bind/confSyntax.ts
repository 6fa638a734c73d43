// Values as they are written into named.conf and rndc arguments. Each is checked first, so that no
// value from a resource can end a quoted string or a statement and add configuration of its own.
import { isIP } from 'node:net';
import type { PeerAddress, TsigKeyConfig } from './model.js';

export class BindConfigError extends Error {
  override name = 'BindConfigError';
}

const ZONE_NAME = /^([a-z0-9_-]{1,63}\.)*[a-z0-9_-]{1,63}\.$/;
const KEY_NAME = /^[a-z0-9_]([a-z0-9_.-]{0,200}[a-z0-9_])?\.?$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ALGORITHMS: readonly string[] = ['hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];

/** `Example.COM` or `example.com.` -> `example.com.`; letters, digits, `-` and `_` only. */
export function zoneName(name: string): string {
  const absolute = (name.endsWith('.') ? name : `${name}.`).toLowerCase();
  if (!ZONE_NAME.test(absolute) || absolute.length > 254)
    throw new BindConfigError(`zone name ${JSON.stringify(name)} is not a host-style domain name`);
  return absolute;
}

/** A zone name as a quoted named.conf string. */
export function quotedZone(name: string): string {
  return JSON.stringify(zoneName(name));
}

export function quotedKeyName(name: string): string {
  if (!KEY_NAME.test(name)) throw new BindConfigError(`TSIG key name ${JSON.stringify(name)} is not allowed`);
  return JSON.stringify(name);
}

/** A path as a quoted named.conf string (paths come from a layout, never from a resource). */
export function quotedPath(path: string): string {
  if (!path.startsWith('/') || /["\\\n;{}]/.test(path))
    throw new BindConfigError(`path ${JSON.stringify(path)} cannot be written into named.conf`);
  return JSON.stringify(path);
}

/** A `key` statement. The secret never appears in an error: only the key's name does. */
export function keyStatement(key: TsigKeyConfig): string {
  if (!ALGORITHMS.includes(key.algorithm))
    throw new BindConfigError(
      `TSIG key ${key.name}: algorithm ${JSON.stringify(key.algorithm)} is not supported`,
    );
  if (!BASE64.test(key.secret) || key.secret.length % 4 !== 0)
    throw new BindConfigError(`TSIG key ${key.name}: the secret is not base64`);
  return `key ${quotedKeyName(key.name)} {\n\talgorithm ${key.algorithm};\n\tsecret "${key.secret}";\n};\n`;
}

/** `192.0.2.1 port 53`, as in primaries and also-notify lists. */
export function peer(address: PeerAddress): string {
  if (isIP(address.address) === 0)
    throw new BindConfigError(`${JSON.stringify(address.address)} is not an IP address`);
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535)
    throw new BindConfigError(`${address.port} is not a port`);
  return `${address.address} port ${address.port}`;
}

/** `192.0.2.1 port 53 key "k"`: a server reached with a TSIG key. */
export function peerWithKey(address: PeerAddress, key: string): string {
  return `${peer(address)} key ${quotedKeyName(key)}`;
}

/** `{ a; b; }` with the elements given, or `{ none; }` when there are none. */
export function matchList(elements: readonly string[]): string {
  return elements.length === 0 ? '{ none; }' : `{ ${elements.map((e) => `${e}; `).join('')}}`;
}
