// What every servirt guest's named starts with: the configuration of a server with no keys and
// no zones (authoritative only, zones addable with rndc), and the folders for the zone files.
//
// No restart of named is needed: in the guest image, named.service is ordered after
// servirt-rndc-key.service, which runs After=cloud-init.service, the stage whose write_files
// module writes these files. So named's first start reads them. The folders are made in runcmd
// (cloud-final), later; the first-boot configuration does not use them, and BindControl makes
// them too before it writes anything there.
import type { RoleConfig } from '../cloudInit.js';
import { renderServerConfig } from './config.js';
import { GUEST_BIND_LAYOUT, zoneFolders } from './layout.js';
import { EMPTY_SERVER_CONFIG } from './model.js';

export function bindFirstBootFiles(): RoleConfig {
  const layout = GUEST_BIND_LAYOUT;
  const folders = zoneFolders(layout);
  return {
    // Mode and owner as BindControl writes them later, so that the first apply finds them equal.
    files: renderServerConfig(layout, EMPTY_SERVER_CONFIG).map((file) => ({
      path: file.path,
      content: file.content,
      permissions: '0640',
      owner: layout.configOwner ?? 'root:root',
    })),
    commands: [
      ['mkdir', '-p', ...folders],
      ['chown', layout.fileOwner ?? 'root:root', ...folders],
    ],
  };
}
