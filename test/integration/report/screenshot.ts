import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const TIMEOUT_MS = 60_000;

/** Takes a PNG screenshot of url with headless Chromium (a fresh profile, removed afterwards). */
export async function screenshot(
  url: string,
  file: string,
  size = { width: 1000, height: 700 },
): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'servirt-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--window-size=${size.width},${size.height}`,
      `--screenshot=${file}`,
      url,
    ];
    // Its own process group, so that a timeout can end Chromium's helper processes as well.
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        reject(new Error(`chromium took longer than ${TIMEOUT_MS} ms\n${stderr}`));
      }, TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`chromium exited with ${signal ?? code}\n${stderr}`));
      });
    });
    const written = await stat(file).catch(() => undefined);
    if (!written?.size) throw new Error(`chromium wrote no screenshot to ${file}\n${stderr}`);
  } finally {
    await rm(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
