// What Debian 12's apache2 package sets up, and a main configuration that reproduces it for an
// apache2 run under a folder: the same modules and module settings (event MPM included, read from
// the package's own files in /etc/apache2), the same server defaults, servirt's additions.
import { quotedPath } from './syntax.js';
import type { ApacheLayout } from './layout.js';

/** The modules the apache2 package enables (mods-enabled after installation). */
export const DEBIAN_DEFAULT_MODULES: readonly string[] = [
  'access_compat',
  'alias',
  'auth_basic',
  'authn_core',
  'authn_file',
  'authz_core',
  'authz_host',
  'authz_user',
  'autoindex',
  'deflate',
  'dir',
  'env',
  'filter',
  'mime',
  'mpm_event',
  'negotiation',
  'reqtimeout',
  'setenvif',
  'status',
];

/** What servirt enables with a2enmod: TLS and the security headers. */
export const SERVIRT_MODULES: readonly string[] = ['headers', 'ssl'];

/** a2enmod ssl also enables what mod_ssl depends on. */
const DEPENDENCIES: readonly string[] = ['socache_shmcb'];

/** The configuration snippets the apache2 package enables (conf-enabled). */
export const DEBIAN_DEFAULT_CONFS: readonly string[] = [
  'charset',
  'localized-error-pages',
  'other-vhosts-access-log',
  'security',
  'serve-cgi-bin',
];

const MODULES_WITH_SETTINGS: readonly string[] = [
  'alias',
  'autoindex',
  'deflate',
  'dir',
  'mime',
  'mpm_event',
  'negotiation',
  'reqtimeout',
  'setenvif',
  'ssl',
  'status',
];

const PACKAGE_DIR = '/etc/apache2';

/** Debian's apache2.conf with envvars' values for a server under layout's folders, its ports on 127.0.0.1. */
export function localMainConfig(layout: ApacheLayout): string {
  const runtime = layout.runtimeDir;
  if (!runtime) throw new Error('a local Apache layout needs a runtimeDir');
  const modules = [...DEBIAN_DEFAULT_MODULES, ...DEPENDENCIES, ...SERVIRT_MODULES].sort();
  const lines = [
    '# Debian 12 apache2.conf, for an apache2 run under a folder by a test or a benchmark.',
    `Define APACHE_RUN_DIR ${runtime}`,
    `Define APACHE_LOCK_DIR ${runtime}`,
    `Define APACHE_LOG_DIR ${layout.logDir}`,
    'Define APACHE_RUN_USER www-data',
    'Define APACHE_RUN_GROUP www-data',
    `DefaultRuntimeDir ${quotedPath(runtime)}`,
    `PidFile ${quotedPath(layout.pidFile)}`,
    `Mutex file:${runtime} default`,
    'Timeout 300',
    'KeepAlive On',
    'MaxKeepAliveRequests 100',
    'KeepAliveTimeout 5',
    'User www-data',
    'Group www-data',
    'HostnameLookups Off',
    `ErrorLog ${quotedPath(layout.errorLog)}`,
    'LogLevel warn',
    ...modules.map((module) => `Include ${PACKAGE_DIR}/mods-available/${module}.load`),
    ...modules
      .filter((module) => MODULES_WITH_SETTINGS.includes(module))
      .map((module) => `Include ${PACKAGE_DIR}/mods-available/${module}.conf`),
    `Listen 127.0.0.1:${layout.httpPort}`,
    `Listen 127.0.0.1:${layout.httpsPort}`,
    '<Directory />',
    '\tOptions FollowSymLinks',
    '\tAllowOverride None',
    '\tRequire all denied',
    '</Directory>',
    // As Debian's <Directory /var/www/>: the sites' content root lies under it there.
    `<Directory ${quotedPath(layout.contentRoot)}>`,
    '\tOptions Indexes FollowSymLinks',
    '\tAllowOverride None',
    '\tRequire all granted',
    '</Directory>',
    'AccessFileName .htaccess',
    '<FilesMatch "^\\.ht">',
    '\tRequire all denied',
    '</FilesMatch>',
    'LogFormat "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" vhost_combined',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" combined',
    'LogFormat "%h %l %u %t \\"%r\\" %>s %O" common',
    ...DEBIAN_DEFAULT_CONFS.map((conf) => `Include ${PACKAGE_DIR}/conf-available/${conf}.conf`),
    // Where Debian's conf-enabled/servirt.conf comes: after the package's snippets.
    `Include ${quotedPath(layout.serverConfigFile)}`,
  ];
  return `${lines.join('\n')}\n`;
}
