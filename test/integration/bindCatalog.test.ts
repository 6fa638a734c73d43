// A secondary following a catalog zone (RFC 9432) on its primary: real named processes, driven
// through a real sshd each, as the operator drives guests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { renderServerConfig } from '../../operator/src/guest/bind/config.js';
import { BindControl } from '../../operator/src/guest/bind/control.js';
import { catalogMemberName } from '../../operator/src/guest/bind/zoneFiles.js';
import { startBindServers, type BindTestServer } from './bind/bindServer.js';
import { tsigKey, until, zoneFileOf } from './bind/zoneFixtures.js';

const transfer = tsigKey('servirt-transfer.ns1');
const update = tsigKey('member.test-update');
const catalog = 'ns2.ns1.catalog.servirt.invalid.';

describe('a secondary following a catalog on the primary', () => {
  let primary: BindTestServer;
  let secondary: BindTestServer;

  beforeAll(async () => {
    [primary, secondary] = (await startBindServers(2)) as [BindTestServer, BindTestServer];
  });
  afterAll(async () => {
    await Promise.all([primary, secondary].filter(Boolean).map((server) => server.stop()));
  });

  it('serves a zone listed in the catalog within moments, follows its changes, drops it when unlisted', async () => {
    const primaryControl = new BindControl(await primary.channel(), primary.layout);
    const secondaryControl = new BindControl(await secondary.channel(), secondary.layout);
    const primaryPeer = { address: '127.0.0.1', port: primary.dnsPort };
    const secondaryPeer = { address: '127.0.0.1', port: secondary.dnsPort };
    await primaryControl.applyServerConfig(
      renderServerConfig(primary.layout, {
        keys: [transfer, update],
        servedCatalogs: [{ zone: catalog, transferKey: transfer.name, notify: [secondaryPeer] }],
        followedCatalogs: [],
      }),
    );
    await secondaryControl.applyServerConfig(
      renderServerConfig(secondary.layout, {
        keys: [transfer],
        servedCatalogs: [],
        followedCatalogs: [{ zone: catalog, primary: primaryPeer, transferKey: transfer.name }],
      }),
    );
    await until(
      () => secondary.soaSerial(catalog),
      (serial) => serial === 1,
      5_000,
    );

    const memberFiles = async () =>
      (await readdir(secondary.layout.catalogMemberDir)).filter((name) => name.includes('member.test'));
    await primaryControl.addZone(
      {
        origin: 'member.test.',
        updateKey: update.name,
        transferKeys: [transfer.name],
        notify: [{ peer: secondaryPeer, key: transfer.name }],
      },
      zoneFileOf('member.test.', 5),
    );
    expect(await secondary.soaSerial('member.test')).toBeUndefined();
    const member = `${catalogMemberName(catalog, 'member.test')} 0 PTR member.test.`;
    await primary.nsupdate(transfer, [`zone ${catalog}`, `update add ${member}`]);
    const listed = await until(
      () => secondary.soaSerial('member.test'),
      (serial) => serial === 5,
      3_000,
    );

    await primary.nsupdate(update, ['zone member.test', 'update add new.member.test. 60 TXT "hello"']);
    const changed = await until(
      () => secondary.soaSerial('member.test'),
      (serial) => serial === 6,
      3_000,
    );

    // The secondary keeps member zones in files (in-memory no): a restart serves them at once.
    await until(memberFiles, (files) => files.length === 1, 3_000);
    await secondary.restart();
    expect(await secondary.soaSerial('member.test')).toBe(6);

    await primary.nsupdate(transfer, [`zone ${catalog}`, `update delete ${member}`]);
    const unlisted = await until(
      () => secondary.soaSerial('member.test'),
      (serial) => serial === undefined,
      3_000,
    );
    process.stderr.write(
      `catalog: listed after ${listed.toFixed(0)} ms, change after ${changed.toFixed(0)} ms, unlisted after ${unlisted.toFixed(0)} ms\n`,
    );
    await until(memberFiles, (files) => files.length === 0, 3_000);
  });
});
