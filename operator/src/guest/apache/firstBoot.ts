// What every servirt guest's Apache starts with: servirt's server-wide configuration (default
// virtual hosts answering 404, the include of the sites), mod_ssl and mod_headers, Debian's default
// site disabled, the folders, and a self-signed certificate for the default HTTPS virtual host.
//
// Apache may start before cloud-init's runcmd, with Debian's configuration: the file written here
// is only enabled (a2enconf) once the certificate it names exists, and the restart at the end
// loads the modules. openssl is on the image as a dependency of ca-certificates.
import type { RoleConfig } from '../cloudInit.js';
import { renderServerConfig } from './config.js';
import { SERVIRT_MODULES } from './debianServer.js';
import { defaultTlsFiles, GUEST_APACHE_LAYOUT, type ApacheLayout } from './layout.js';

export function apacheFirstBootFiles(): RoleConfig {
  const layout = GUEST_APACHE_LAYOUT;
  return {
    files: [
      {
        path: layout.serverConfigFile,
        content: renderServerConfig(layout),
        permissions: '0644',
        owner: 'root:root',
      },
    ],
    commands: [
      ['mkdir', '-p', layout.siteConfigDir, layout.contentRoot],
      ['install', '-d', '-m', '0700', layout.tlsDir],
      defaultCertificateCommand(layout),
      ['a2enmod', '-q', ...SERVIRT_MODULES],
      ['a2dissite', '-q', '000-default'],
      ['a2enconf', '-q', 'servirt'],
      ['systemctl', 'restart', 'apache2.service'],
    ],
  };
}

/**
 * Makes the default virtual host's certificate: self-signed for a name that is no real one, since
 * it only ever answers 404 to host names no site has. openssl writes the key with mode 0600.
 */
export function defaultCertificateCommand(layout: ApacheLayout): string[] {
  const files = defaultTlsFiles(layout);
  return [
    'openssl',
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '36500',
    '-subj',
    '/CN=servirt-default.invalid',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-keyout',
    files.privateKey,
    '-out',
    files.certificate,
  ];
}
