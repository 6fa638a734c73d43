import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { generateEd25519 } from '../sshKeyPair.js';
import { mergeRoleConfigs, noCloudSeed } from '../cloudInit.js';
import { bindFirstBootFiles } from '../bind/firstBoot.js';
import { renderServerConfig } from './config.js';
import { apacheFirstBootFiles } from './firstBoot.js';
import { GUEST_APACHE_LAYOUT } from './layout.js';

describe('apacheFirstBootFiles', () => {
  const hostKey = generateEd25519('test');
  const identity = {
    instanceId: 'uid',
    hostname: 'web1',
    hostKey: { private: hostKey.private, public: hostKey.public },
    authorizedKeys: ['ssh-ed25519 AAAA operator'],
  };

  it('writes the server configuration, makes the default certificate before enabling it, and restarts Apache', () => {
    const userData = parse(noCloudSeed(identity, apacheFirstBootFiles())['user-data']);
    expect(userData.write_files).toEqual([
      {
        path: '/etc/apache2/conf-available/servirt.conf',
        content: renderServerConfig(GUEST_APACHE_LAYOUT),
        permissions: '0644',
        owner: 'root:root',
      },
    ]);
    const commands: string[][] = userData.runcmd;
    const index = (program: string) => commands.findIndex((command) => command[0] === program);
    expect(commands[index('openssl')]).toEqual(
      expect.arrayContaining([
        '/etc/apache2/servirt/tls/_default.key',
        '/etc/apache2/servirt/tls/_default.crt',
      ]),
    );
    expect(commands).toContainEqual(['install', '-d', '-m', '0700', '/etc/apache2/servirt/tls']);
    expect(commands).toContainEqual(['a2enmod', '-q', 'headers', 'ssl']);
    expect(commands).toContainEqual(['a2dissite', '-q', '000-default']);
    expect(index('install')).toBeLessThan(index('openssl'));
    expect(index('openssl')).toBeLessThan(index('a2enconf'));
    expect(commands.at(-1)).toEqual(['systemctl', 'restart', 'apache2.service']);
  });

  it("goes into a guest's seed together with named's", () => {
    const bind = bindFirstBootFiles();
    const apache = apacheFirstBootFiles();
    const userData = parse(noCloudSeed(identity, mergeRoleConfigs(bind, apache))['user-data']);
    expect(userData.write_files.map((file: { path: string }) => file.path)).toEqual([
      ...(bind.files ?? []).map((file) => file.path),
      '/etc/apache2/conf-available/servirt.conf',
    ]);
    expect(userData.runcmd).toEqual([...(bind.commands ?? []), ...(apache.commands ?? [])]);
  });
});
