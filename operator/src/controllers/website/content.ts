import type { WebSite } from '../../api/types.generated.js';
import { isNotFound, type KubeClient } from '../../kube/client.js';
import { CONFIG_MAPS, resourcePath } from '../../kube/resourcePath.js';

/** A site's files: path relative to the document root -> bytes. */
export type SiteFiles = Map<string, Buffer>;

/** A site's content the operator will not deploy: a condition, and the site keeps serving as it was. */
export class SiteProblem extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** At most this many bytes of content per site: what goes over SSH to every guest on each change. */
export const MAX_CONTENT_BYTES = 4 * 1024 * 1024;
export const MAX_FILES = 1000;

interface ConfigMap {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** The site's files from spec.content: inline, or the ConfigMap it names. */
export async function loadSiteFiles(client: KubeClient, site: WebSite): Promise<SiteFiles> {
  const content = site.spec.content;
  const files: SiteFiles = new Map();
  if (content.inline) {
    for (const [name, text] of Object.entries(content.inline)) files.set(name, Buffer.from(text, 'utf8'));
  } else if (content.configMapRef) {
    const name = content.configMapRef.name;
    let map: ConfigMap;
    try {
      map = await client.request<ConfigMap>({
        method: 'GET',
        path: resourcePath(CONFIG_MAPS, { namespace: site.metadata.namespace ?? '', name }),
      });
    } catch (error) {
      if (isNotFound(error))
        throw new SiteProblem(
          'ContentNotFound',
          `ConfigMap ${name} (spec.content.configMapRef) does not exist`,
        );
      throw error;
    }
    for (const [file, text] of Object.entries(map.data ?? {})) files.set(file, Buffer.from(text, 'utf8'));
    for (const [file, encoded] of Object.entries(map.binaryData ?? {}))
      files.set(file, Buffer.from(encoded, 'base64'));
  }
  checkFiles(files);
  return files;
}

/** Limits and names, whatever the source. Pure. */
export function checkFiles(files: SiteFiles): void {
  if (files.size === 0)
    throw new SiteProblem('ContentEmpty', 'the site has no files; give at least index.html');
  if (files.size > MAX_FILES)
    throw new SiteProblem('ContentTooLarge', `the site has ${files.size} files; at most ${MAX_FILES}`);
  let total = 0;
  for (const [name, bytes] of files) {
    if (
      !/^\.?[A-Za-z0-9_-][A-Za-z0-9._-]*(\/\.?[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(name) ||
      name.includes('..')
    )
      throw new SiteProblem(
        'ContentInvalid',
        `file name ${JSON.stringify(name)} is not a plain relative path`,
      );
    total += bytes.length;
  }
  if (total > MAX_CONTENT_BYTES)
    throw new SiteProblem(
      'ContentTooLarge',
      `the site's files take ${total} bytes; at most ${MAX_CONTENT_BYTES} (${MAX_CONTENT_BYTES / 1024 / 1024} MiB)`,
    );
}
