// Drives one Apache server through a guest channel: puts a site's content and configuration in
// place (tested before they go live), and takes sites out again.
import type { GuestChannel, RunResult } from '../channel.js';
import { configHash, renderSiteConfig } from './config.js';
import {
  CONFIG_REJECTED,
  DEPLOY_SITE,
  RELEASE_MISSING,
  RELOAD_FAILED,
  REMOVE_SITE,
  SITE_STATE,
} from './controlScripts.js';
import { CANDIDATE_DEFINE, siteFiles, type ApacheLayout } from './layout.js';
import {
  checkContent,
  contentHash,
  tlsHash,
  type SiteConfig,
  type SiteContent,
  type SiteTls,
} from './model.js';
import { ApacheConfigError } from './syntax.js';
import { tarArchive, type TarEntry } from './tar.js';
import { tlsProblem } from './tls.js';

/** The site's configuration would not run: apachectl configtest refused it, or its certificate and key. Nothing live changed. */
export class ApacheConfigRejected extends Error {
  override name = 'ApacheConfigRejected';
}

/** Apache did not survive the graceful reload; the previous configuration and content are back in place. */
export class ApacheReloadFailed extends Error {
  override name = 'ApacheReloadFailed';
}

/** What deploySite changed on the server. */
export type SiteChange = 'unchanged' | 'content' | 'config' | 'content-and-config';

export interface SiteState {
  /** The content hash of the release being served; undefined before the first deploy. */
  contentHash?: string;
  /** configHash of the site's live configuration; undefined when the server has none. */
  configHash?: string;
  /** Content hashes of the releases on the server: the current one and the one before. */
  releases: string[];
}

export class ApacheControl {
  constructor(
    private readonly channel: GuestChannel,
    private readonly layout: ApacheLayout,
  ) {}

  /**
   * Makes the server serve the site: one SSH command to compare, one more when something changed.
   * New content goes into a release folder of its own and is switched to atomically; a new
   * configuration is tested (apachectl configtest, with every other site's) before it replaces the
   * live one, then Apache reloads gracefully and this resolves once the reload is done.
   */
  async deploySite(site: SiteConfig, content: SiteContent): Promise<SiteChange> {
    checkContent(content);
    if (contentHash(content) !== site.contentHash)
      throw new ApacheConfigError(`site ${site.name}: contentHash is not the hash of the content given`);
    const config = renderSiteConfig(this.layout, site);
    const problem = site.tls && tlsProblem(site.tls);
    if (problem) throw new ApacheConfigRejected(`site ${site.name}: ${problem}`);

    const state = await this.siteState(site.name);
    const contentChanged = state.contentHash !== site.contentHash;
    const configChanged = state.configHash !== configHash(config);
    if (!contentChanged && !configChanged) return 'unchanged';
    const sendContent = !state.releases.includes(site.contentHash);
    let deployed = await this.deploy(
      site,
      configChanged ? config : undefined,
      sendContent ? content : undefined,
    );
    // Pruned between the two commands (another deploy of the site): send it after all.
    if (deployed.code === RELEASE_MISSING && !sendContent)
      deployed = await this.deploy(site, configChanged ? config : undefined, content);
    const why = redact(output(deployed), site.tls);
    if (deployed.code === CONFIG_REJECTED)
      throw new ApacheConfigRejected(`apachectl configtest rejected site ${site.name}: ${why}`);
    if (deployed.code === RELOAD_FAILED)
      throw new ApacheReloadFailed(
        `Apache did not take site ${site.name}; its previous configuration is back: ${why}`,
      );
    if (deployed.code !== 0) throw new Error(`deploying site ${site.name} failed: ${why}`);
    if (!configChanged) return 'content';
    return contentChanged ? 'content-and-config' : 'config';
  }

  /** Takes the site out of the configuration (graceful reload), then removes its content and TLS files. */
  async removeSite(siteName: string): Promise<void> {
    const files = siteFiles(this.layout, siteName);
    const removed = await this.channel.run([
      'sh',
      '-c',
      REMOVE_SITE,
      'sh',
      this.layout.lockFile,
      files.config,
      files.dir,
      files.tlsDir,
      this.layout.errorLog,
      this.layout.pidFile,
      lines(this.layout.graceful),
      lines(this.layout.start ?? []),
    ]);
    if (removed.code === RELOAD_FAILED)
      throw new ApacheReloadFailed(`Apache did not reload without site ${siteName}: ${output(removed)}`);
    if (removed.code !== 0) throw new Error(`removing site ${siteName} failed: ${output(removed)}`);
  }

  async siteState(siteName: string): Promise<SiteState> {
    const files = siteFiles(this.layout, siteName);
    const listed = await this.channel.run(['sh', '-c', SITE_STATE, 'sh', files.dir, files.config]);
    if (listed.code !== 0) throw new Error(`reading the state of site ${siteName} failed: ${output(listed)}`);
    const state: SiteState = { releases: [] };
    for (const line of listed.stdout.split('\n')) {
      const [field, value] = line.split(' ');
      if (value === undefined || value === '-') continue;
      if (field === 'current') state.contentHash = value;
      if (field === 'config') state.configHash = value;
      if (field === 'release') state.releases.push(value);
    }
    return state;
  }

  private deploy(site: SiteConfig, config: string | undefined, content: SiteContent | undefined) {
    const files = siteFiles(this.layout, site.name);
    const entries: TarEntry[] = [
      ...(content ? contentEntries(content) : []),
      ...(config === undefined ? [] : [{ path: 'site.conf', content: Buffer.from(config), mode: 0o644 }]),
      ...(config !== undefined && site.tls ? tlsEntries(site.tls) : []),
    ];
    const archive = tarArchive(entries, Math.floor(Date.now() / 1000));
    return this.channel.run(
      [
        'sh',
        '-c',
        DEPLOY_SITE,
        'sh',
        this.layout.lockFile,
        this.layout.contentRoot,
        files.dir,
        site.contentHash,
        files.config,
        this.layout.siteConfigDir,
        this.layout.candidateConfigDir,
        files.tlsDir,
        site.tls ? tlsHash(site.tls) : '-',
        this.layout.errorLog,
        this.layout.pidFile,
        files.errorLog,
        lines([...this.layout.apachectl, '-t', '-D', CANDIDATE_DEFINE]),
        lines(this.layout.graceful),
        lines(this.layout.start ?? []),
      ],
      { input: archive },
    );
  }
}

/** `content/` with its folders first, then the files; readable by Apache's workers, writable by root only. */
function contentEntries(content: SiteContent): TarEntry[] {
  const folders = new Set(['content']);
  for (const path of content.keys()) {
    const parts = path.split('/');
    for (let depth = 1; depth < parts.length; depth++)
      folders.add(`content/${parts.slice(0, depth).join('/')}`);
  }
  return [
    ...[...folders].sort().map((path) => ({ path, mode: 0o755 })),
    ...[...content.keys()].sort().map((path) => ({
      path: `content/${path}`,
      content: content.get(path) as Buffer,
      mode: 0o644,
    })),
  ];
}

function tlsEntries(tls: SiteTls): TarEntry[] {
  return [
    { path: 'tls.crt', content: Buffer.from(tls.certificate), mode: 0o644 },
    { path: 'tls.key', content: Buffer.from(tls.privateKey), mode: 0o600 },
  ];
}

const lines = (argv: readonly string[]) => argv.join('\n');

function output(result: RunResult): string {
  return `${result.stderr}\n${result.stdout}`.trim().replace(/\s*\n\s*/g, '; ');
}

/** Nothing the scripts print should hold key material; should a tool ever print some, it goes. */
function redact(text: string, tls: SiteTls | undefined): string {
  const keyLines = (tls?.privateKey ?? '').split('\n').filter((line) => line.trim().length >= 16);
  const withoutBlocks = text.replace(
    /-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----/g,
    '<private key>',
  );
  return keyLines.reduce(
    (redacted, line) => redacted.split(line.trim()).join('<private key>'),
    withoutBlocks,
  );
}
