// What a web site is on an Apache server, independent of where its files live (see layout.ts).
import { createHash } from 'node:crypto';
import { ApacheConfigError, contentPath } from './syntax.js';

export interface SiteTls {
  /** PEM: the site's certificate first, then the intermediates (tls.crt of a kubernetes.io/tls Secret). */
  certificate: string;
  /** PEM, unencrypted (tls.key). */
  privateKey: string;
  /** Answer plain HTTP with a permanent redirect to HTTPS (and send HSTS over HTTPS). */
  redirectHTTP: boolean;
}

export interface SiteConfig {
  /** Stable and unique on a server; names the site's files (see siteNameOf). */
  name: string;
  /** The first is the ServerName, the others ServerAliases; `*.example.com` is allowed. */
  hostNames: string[];
  /** contentHash of the content the site serves. */
  contentHash: string;
  tls?: SiteTls;
}

/** The files of a document root: path relative to it (`index.html`, `css/site.css`) to bytes. */
export type SiteContent = ReadonlyMap<string, Buffer>;

/**
 * The site name of a WebSite: `_` cannot occur in a namespace or an object name, so no two
 * WebSites share one. Names too long for a file name are shortened and made unique by a hash.
 */
export function siteNameOf(namespace: string, name: string): string {
  const full = `${namespace}_${name}`;
  if (full.length <= 200) return full;
  return `${full.slice(0, 183)}-${createHash('sha256').update(full).digest('hex').slice(0, 16)}`;
}

/** Hex SHA-256 over the files in path order, each as path, NUL, size, NUL, bytes. */
export function contentHash(content: SiteContent): string {
  const hash = createHash('sha256');
  for (const path of [...content.keys()].sort()) {
    const bytes = content.get(path) as Buffer;
    hash.update(`${path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** Throws ApacheConfigError unless every path is a plain relative path and no file is also a folder. */
export function checkContent(content: SiteContent): void {
  const paths = [...content.keys()].map(contentPath);
  const folders = new Set(
    paths.flatMap((path) =>
      path
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  const both = paths.find((path) => folders.has(path));
  if (both)
    throw new ApacheConfigError(`content file name ${JSON.stringify(both)} is also a folder of other files`);
}

/** Names a certificate and key pair's files: a new pair never overwrites the files a live configuration uses. */
export function tlsHash(tls: SiteTls): string {
  return createHash('sha256').update(`${tls.certificate}\0${tls.privateKey}`).digest('hex').slice(0, 16);
}
