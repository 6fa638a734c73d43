// BindControl against a real named, reached through a real sshd as a guest's named would be.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import type { GuestChannel } from '../../operator/src/guest/channel.js';
import {
  primaryZoneConfig,
  renderServerConfig,
  sameZoneConfig,
} from '../../operator/src/guest/bind/config.js';
import { BindConfigRejected, BindControl } from '../../operator/src/guest/bind/control.js';
import { memberZoneFile, zoneFolders, type BindLayout } from '../../operator/src/guest/bind/layout.js';
import type { PrimaryZoneConfig, ServerConfig } from '../../operator/src/guest/bind/model.js';
import { catalogMemberName, initialZoneFile } from '../../operator/src/guest/bind/zoneFiles.js';
import { sleep } from '../../hack/cluster/processes.js';
import { startBindServer, type BindTestServer } from './bind/bindServer.js';
import { tsigKey, until, zoneFileOf } from './bind/zoneFixtures.js';

/** A channel that counts the files written through it. */
function counting(channel: GuestChannel): GuestChannel & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    run: (argv, options) => channel.run(argv, options),
    writeFile: (file, content, mode) => {
      writes.push(file);
      return channel.writeFile(file, content, mode);
    },
    readFile: (file, maxBytes) => channel.readFile(file, maxBytes),
    close: () => channel.close(),
  };
}

describe('BindControl on a real named over SSH', () => {
  let alone: BindTestServer;
  const transfer = tsigKey('servirt-transfer.ns2');
  const update = tsigKey('example.com-update');

  beforeAll(async () => {
    alone = await startBindServer();
  });
  afterAll(async () => {
    await alone?.stop();
  });

  describe('server configuration', () => {
    let layout: BindLayout;
    let channel: ReturnType<typeof counting>;
    let control: BindControl;
    const config: ServerConfig = {
      keys: [transfer],
      servedCatalogs: [
        { zone: 'cat.test', transferKey: transfer.name, notify: [{ address: '127.0.0.1', port: 9 }] },
      ],
      followedCatalogs: [],
    };

    beforeAll(async () => {
      // Owners set as in a guest, but with root as the user: named drops every capability it does
      // not need, so root in named cannot write to a folder of bind's.
      layout = { ...alone.layout, fileOwner: 'root:bind', configOwner: 'root:bind' };
      channel = counting(await alone.channel());
      control = new BindControl(channel, layout);
    });

    it('puts a new configuration in place and reloads named; the same again changes nothing', async () => {
      // As on a guest whose first boot has not made them yet.
      for (const folder of zoneFolders(layout)) await rm(folder, { recursive: true, force: true });
      const files = renderServerConfig(layout, config);
      expect(await control.applyServerConfig(files)).toBe('reloaded');
      for (const file of files) expect(await readFile(file.path, 'utf8')).toBe(file.content);
      expect(await alone.soaSerial('cat.test')).toBe(1);
      const bindGroup = (await stat('/etc/bind')).gid;
      const local = await stat(layout.localFile);
      expect({ mode: local.mode & 0o777, gid: local.gid }).toEqual({ mode: 0o640, gid: bindGroup });
      for (const owned of [files[2]?.path ?? '', layout.zoneDir, layout.catalogMemberDir])
        expect((await stat(owned)).gid).toBe(bindGroup);

      channel.writes.length = 0;
      expect(await control.applyServerConfig(renderServerConfig(layout, config))).toBe('unchanged');
      expect(channel.writes).toEqual([]);
      expect((await stat(layout.localFile)).mtimeMs).toBe(local.mtimeMs);
    });

    it('never replaces a catalog zone file named has loaded', async () => {
      await alone.nsupdate(transfer, [
        'zone cat.test',
        `update add ${catalogMemberName('cat.test', 'a.test')} 0 PTR a.test.`,
      ]);
      // rndc sync returns before named has written the file.
      await alone.rndc('sync', 'cat.test');
      const catalogFile = layout.catalogDir + '/cat.test.primary.db';
      await until(
        () => readFile(catalogFile, 'utf8'),
        (content) => content.includes('a.test.'),
        5_000,
      );
      const loaded = await readFile(catalogFile, 'utf8');
      const withAnotherKey = { ...config, keys: [transfer, tsigKey('another')] };
      expect(await control.applyServerConfig(renderServerConfig(layout, withAnotherKey))).toBe('reloaded');
      expect(await readFile(catalogFile, 'utf8')).toBe(loaded);
      expect(await alone.soaSerial('cat.test')).toBe(2);
    });

    it('refuses what named-checkconf refuses, naming no secret, the live files and named as they were', async () => {
      const before = await readFile(layout.localFile, 'utf8');
      const broken = renderServerConfig(layout, config).map((file) =>
        file.path === layout.localFile
          ? {
              ...file,
              content: `${file.content}key "weak" {\n\talgorithm hmac-sha256;\n\tsecret "${update.secret}" ${update.secret};\n};\n`,
            }
          : file,
      );
      const refused = control.applyServerConfig(broken);
      await expect(refused).rejects.toThrow(BindConfigRejected);
      await expect(refused).rejects.toThrow(
        /named-checkconf rejected the configuration: .*named.conf.local.servirt-new:\d+: missing ';' before '<secret>'/,
      );
      await refused.catch((error: Error) => {
        expect(error.message).not.toContain(update.secret);
      });
      expect(await readFile(layout.localFile, 'utf8')).toBe(before);
      expect((await readdir(alone.root)).filter((name) => name.endsWith('.servirt-new'))).toEqual([]);
      await alone.rndc('reconfig');
      expect(await alone.soaSerial('cat.test')).toBe(2);
    });
  });

  describe('a server whose named does not answer rndc', () => {
    it('gets its previous configuration back, so that the next apply tries again', async () => {
      const control = new BindControl(await alone.channel(), alone.layout);
      const before = await readFile(alone.layout.localFile, 'utf8');
      await alone.shutdown();
      try {
        const files = renderServerConfig(alone.layout, {
          keys: [update],
          servedCatalogs: [],
          followedCatalogs: [],
        });
        await expect(control.applyServerConfig(files)).rejects.toThrow(
          /rndc reconfig failed, the previous configuration is back/,
        );
        expect(await readFile(alone.layout.localFile, 'utf8')).toBe(before);
        expect((await readdir(alone.root)).filter((name) => name.includes('.servirt-'))).toEqual([]);
      } finally {
        await alone.restart();
      }
    });
  });

  describe('zones added at run time', () => {
    let control: BindControl;
    const zone: PrimaryZoneConfig = {
      origin: 'example.com.',
      updateKey: update.name,
      transferKeys: [],
      notify: [],
    };

    beforeAll(async () => {
      control = new BindControl(await alone.channel(), alone.layout);
      await control.applyServerConfig(
        renderServerConfig(alone.layout, { keys: [update], servedCatalogs: [], followedCatalogs: [] }),
      );
    });

    it('adds a zone from its first file, once; UPDATEs signed with its key change it', async () => {
      await rm(alone.layout.zoneDir, { recursive: true, force: true });
      expect(await control.zoneConfig(zone.origin)).toBeUndefined();
      await control.addZone(zone, zoneFileOf('example.com.', 10));
      expect(await alone.soaSerial('example.com')).toBe(10);
      expect(
        sameZoneConfig(
          (await control.zoneConfig('example.com')) ?? '',
          primaryZoneConfig(alone.layout, zone),
        ),
      ).toBe(true);

      await control.addZone(zone, zoneFileOf('example.com.', 99));
      expect(await readFile(memberZoneFile(alone.layout, zone.origin), 'utf8')).toBe(
        zoneFileOf('example.com.', 10),
      );
      await alone.nsupdate(update, ['zone example.com', 'update add www.example.com. 60 A 192.0.2.7']);
      expect(await alone.soaSerial('example.com')).toBe(11);
      await expect(
        alone.nsupdate(tsigKey(update.name), ['zone example.com', 'update delete www.example.com.']),
      ).rejects.toThrow(/nsupdate failed/);
    });

    it('leaves no file behind when named refuses a new zone, so that the next attempt writes its own', async () => {
      const broken = { ...zone, origin: 'broken.test.' };
      const withoutGlue = initialZoneFile(
        'broken.test.',
        {
          name: 'broken.test.',
          type: 'SOA',
          ttl: 60,
          data: 'ns1.broken.test. h.broken.test. 1 3600 900 1209600 60',
        },
        [{ name: 'broken.test.', type: 'NS', ttl: 60, data: 'ns1.broken.test.' }],
      );
      await expect(control.addZone(broken, withoutGlue)).rejects.toThrow(
        /rndc addzone broken.test. failed: .*bad zone/,
      );
      await expect(stat(memberZoneFile(alone.layout, 'broken.test.'))).rejects.toThrow(/ENOENT/);
      await control.addZone(broken, zoneFileOf('broken.test.', 3));
      expect(await alone.soaSerial('broken.test')).toBe(3);
      await control.deleteZone('broken.test');
    });

    it('keeps added zones over a restart, and after a crash', async () => {
      await alone.restart();
      expect(await alone.soaSerial('example.com')).toBe(11);
      await alone.kill();
      await alone.restart();
      expect(await alone.soaSerial('example.com')).toBe(11);
      expect((await control.zoneStatus('example.com'))?.dynamic).toBe('yes');
    });

    it('modifies a zone without losing its records', async () => {
      const signed = { ...zone, transferKeys: [transfer.name], dnssecPolicy: 'default' as const };
      await control.applyServerConfig(
        renderServerConfig(alone.layout, {
          keys: [update, transfer],
          servedCatalogs: [],
          followedCatalogs: [],
        }),
      );
      await control.modifyZone(signed);
      const shown = (await control.zoneConfig('example.com')) ?? '';
      expect(sameZoneConfig(shown, primaryZoneConfig(alone.layout, signed))).toBe(true);
      expect(shown).toContain('dnssec-policy "default"');
      await until(
        () => control.zoneStatus('example.com'),
        (status) => status?.secure === 'yes',
        10_000,
      );
      expect(await alone.soaSerial('example.com')).toBeGreaterThan(11);
    });

    it('deletes a zone with its files; a zone that is not there is deleted already', async () => {
      const file = memberZoneFile(alone.layout, zone.origin);
      await control.deleteZone('example.com');
      expect(await control.zoneConfig('example.com')).toBeUndefined();
      expect(await alone.soaSerial('example.com')).toBeUndefined();
      await until(
        () =>
          stat(file).then(
            () => true,
            () => false,
          ),
        (exists) => !exists,
        5_000,
      );
      await control.deleteZone('example.com');
    });

    it('adds a zone again right after deleting it, from the new file', async () => {
      await control.addZone(zone, zoneFileOf('example.com.', 40));
      await control.deleteZone('example.com');
      await control.addZone(zone, zoneFileOf('example.com.', 50));
      await sleep(1000); // named removes a deleted zone's files after the command returns
      expect(await alone.soaSerial('example.com')).toBe(50);
      expect(await readFile(memberZoneFile(alone.layout, zone.origin), 'utf8')).toBe(
        zoneFileOf('example.com.', 50),
      );
      await alone.restart();
      expect(await alone.soaSerial('example.com')).toBe(50);
    });
  });
});
