// Where an Apache server's files live and how it is tested and reloaded: the same code drives
// Apache in a Debian guest (GUEST_APACHE_LAYOUT) and an apache2 that a test or a benchmark runs
// under a folder (localApacheLayout).
import path from 'node:path';
import { siteName } from './syntax.js';

export interface ApacheLayout {
  /** The file apache2 starts with; on a guest Debian's apache2.conf, which includes serverConfigFile. */
  mainConfig: string;
  /** Generated: server-wide settings, the default virtual hosts and the include of the sites. */
  serverConfigFile: string;
  /** One generated `<site>.conf` per site. */
  siteConfigDir: string;
  /** What serverConfigFile includes instead of siteConfigDir under `-D SERVIRT_CANDIDATE`. */
  candidateConfigDir: string;
  /** `<contentRoot>/<site>/releases/<content hash>`, and `<contentRoot>/<site>/current` linking to one. */
  contentRoot: string;
  /** `<tlsDir>/<site>/<hash>.crt|.key` (key 0600), and the default virtual host's pair. */
  tlsDir: string;
  /** Per-site access and error logs. */
  logDir: string;
  /** The server's own error log, where the outcome of a graceful reload shows. */
  errorLog: string;
  /** Apache's PidFile: a reload that stops Apache ends that process. */
  pidFile: string;
  /** Held while a site changes, so that no two changes test or switch at once. */
  lockFile: string;
  /** Mutexes and the TLS session cache; absent: the distribution's. */
  runtimeDir?: string;
  httpPort: number;
  httpsPort: number;
  /** apache2 as called for a configuration test; `-t -D SERVIRT_CANDIDATE` follow. */
  apachectl: string[];
  graceful: string[];
  /** Starts Apache after a reload that stopped it; absent: whoever runs it starts it again. */
  start?: string[];
}

/** Defined while a candidate configuration is tested: the server configuration then includes candidateConfigDir. */
export const CANDIDATE_DEFINE = 'SERVIRT_CANDIDATE';

/** A Debian 12 guest: everything owned by root; the content world-readable, the keys not. */
export const GUEST_APACHE_LAYOUT: ApacheLayout = {
  mainConfig: '/etc/apache2/apache2.conf',
  serverConfigFile: '/etc/apache2/conf-available/servirt.conf',
  siteConfigDir: '/etc/apache2/servirt/sites',
  candidateConfigDir: '/etc/apache2/servirt/candidate',
  contentRoot: '/var/www/servirt',
  tlsDir: '/etc/apache2/servirt/tls',
  // Debian's logrotate rotates /var/log/apache2/*.log, the per-site logs too.
  logDir: '/var/log/apache2',
  errorLog: '/var/log/apache2/error.log',
  pidFile: '/run/apache2/apache2.pid',
  lockFile: '/run/lock/servirt-apache.lock',
  httpPort: 80,
  httpsPort: 443,
  apachectl: ['apachectl'],
  graceful: ['apachectl', 'graceful'],
  start: ['systemctl', 'start', 'apache2.service'],
};

/** An apache2 under root, on 127.0.0.1 only, for tests and benchmarks; its main configuration is localMainConfig. */
export function localApacheLayout(root: string, ports: { http: number; https: number }): ApacheLayout {
  const file = (name: string) => path.join(root, name);
  const apache2 = ['/usr/sbin/apache2', '-d', root, '-f', file('httpd.conf')];
  return {
    mainConfig: file('httpd.conf'),
    serverConfigFile: file('servirt.conf'),
    siteConfigDir: file('sites'),
    candidateConfigDir: file('candidate'),
    contentRoot: file('www'),
    tlsDir: file('tls'),
    logDir: file('logs'),
    errorLog: file('logs/error.log'),
    pidFile: file('run/apache2.pid'),
    lockFile: file('run/servirt.lock'),
    runtimeDir: file('run'),
    httpPort: ports.http,
    httpsPort: ports.https,
    apachectl: apache2,
    graceful: [...apache2, '-k', 'graceful'],
  };
}

export interface SiteFiles {
  config: string;
  /** The site's folder under contentRoot: releases/ and the current link. */
  dir: string;
  releases: string;
  current: string;
  tlsDir: string;
  accessLog: string;
  errorLog: string;
}

export function siteFiles(layout: ApacheLayout, site: string): SiteFiles {
  const name = siteName(site);
  const dir = path.join(layout.contentRoot, name);
  return {
    config: path.join(layout.siteConfigDir, `${name}.conf`),
    dir,
    releases: path.join(dir, 'releases'),
    current: path.join(dir, 'current'),
    tlsDir: path.join(layout.tlsDir, name),
    accessLog: path.join(layout.logDir, `${name}.access.log`),
    errorLog: path.join(layout.logDir, `${name}.error.log`),
  };
}

export function siteTlsFiles(layout: ApacheLayout, site: string, hash: string) {
  const folder = siteFiles(layout, site).tlsDir;
  return { certificate: path.join(folder, `${hash}.crt`), privateKey: path.join(folder, `${hash}.key`) };
}

/** The default virtual host's certificate: self-signed, made on the server (see firstBoot.ts). */
export function defaultTlsFiles(layout: ApacheLayout) {
  return {
    certificate: path.join(layout.tlsDir, '_default.crt'),
    privateKey: path.join(layout.tlsDir, '_default.key'),
  };
}
