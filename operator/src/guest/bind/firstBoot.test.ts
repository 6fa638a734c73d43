import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { generateEd25519 } from '../sshKeyPair.js';
import { noCloudSeed } from '../cloudInit.js';
import { renderServerConfig } from './config.js';
import { bindFirstBootFiles } from './firstBoot.js';
import { GUEST_BIND_LAYOUT } from './layout.js';
import { EMPTY_SERVER_CONFIG } from './model.js';

describe('bindFirstBootFiles', () => {
  it('writes the empty server configuration as BindControl would, and makes the zone folders for bind', () => {
    const hostKey = generateEd25519('test');
    const seed = noCloudSeed(
      {
        instanceId: 'uid',
        hostname: 'ns1',
        hostKey: { private: hostKey.private, public: hostKey.public },
        authorizedKeys: ['ssh-ed25519 AAAA operator'],
      },
      bindFirstBootFiles(),
    );
    const userData = parse(seed['user-data']);
    expect(userData.write_files).toEqual(
      renderServerConfig(GUEST_BIND_LAYOUT, EMPTY_SERVER_CONFIG).map((file) => ({
        path: file.path,
        content: file.content,
        permissions: '0640',
        owner: 'root:bind',
      })),
    );
    const folders = [
      '/var/lib/bind/servirt/zones',
      '/var/lib/bind/servirt/catz',
      '/var/lib/bind/servirt/secondary',
    ];
    expect(userData.runcmd).toEqual([
      ['mkdir', '-p', ...folders],
      ['chown', 'bind:bind', ...folders],
    ]);
  });
});
