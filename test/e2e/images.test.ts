// The operator and benchmark runner images, built from the Dockerfile with buildah from the local
// base (npm run image), carry what each process shells out to and run as the unprivileged user.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildImages, runInImage, type BuiltImages } from '../../hack/image/images.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

describe('images (npm run image)', () => {
  let built: BuiltImages;

  beforeAll(async () => {
    built = await buildImages();
  }, 40 * 60_000);

  it('builds an operator image of at most 300 MiB and a runner image, each in an OCI archive named after it', async () => {
    console.log(
      `images: operator ${(built.operator.bytes / MiB).toFixed(0)} MiB, runner ${(built.runner.bytes / MiB).toFixed(0)} MiB`,
    );
    expect(built.operator.bytes).toBeLessThanOrEqual(300 * MiB);
    expect(built.operator.image).toMatch(/^localhost\/servirt:0\.1\.0-[0-9a-f]{16}$/);
    expect(built.runner.image).toBe(built.operator.image.replace('/servirt:', '/servirt-runner:'));
    expect(built.pause.image).toMatch(/^localhost\/servirt-pause:[0-9a-f]{16}$/);
    for (const { image, archive } of [built.operator, built.runner, built.pause]) {
      const { stdout } = await run('tar', ['-xOf', archive, 'index.json']);
      const index = JSON.parse(stdout) as { manifests: { annotations?: Record<string, string> }[] };
      expect(index.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'])).toEqual([
        image,
      ]);
    }
  });

  it('builds nothing again when no input changed', async () => {
    const again = await buildImages();
    expect(again.log).not.toContain('building');
    expect({ operator: again.operator, runner: again.runner, pause: again.pause }).toEqual({
      operator: built.operator,
      runner: built.runner,
      pause: built.pause,
    });
  }, 120_000);

  it('gives the operator image virsh, ssh and xorriso, as uid 65532', async () => {
    const inside = await runInImage(built.operator.image, [
      'sh',
      '-c',
      'id -u && virsh --version && ssh -V 2>&1 && xorriso -version 2>&1 | head -n1 && node dist/operator/src/cli/main.js --help 2>&1',
    ]);
    expect(inside).toMatchObject({ code: 0, stderr: '' });
    const [uid, virsh, ssh, xorriso] = inside.stdout.split('\n');
    expect({ uid, virsh, ssh, xorriso }).toEqual({
      uid: '65532',
      virsh: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      ssh: expect.stringMatching(/^OpenSSH_9/),
      xorriso: expect.stringMatching(/^xorriso 1\./),
    });
    expect(inside.stdout).toContain('usage: servirt bench run');
  });

  it('gives the runner image dnsperf, wrk, sysbench and named, as uid 65532, and no virsh', async () => {
    const inside = await runInImage(built.runner.image, [
      'sh',
      '-c',
      'id -u && dnsperf -h 2>&1 | head -n1 && wrk -v 2>&1 | head -n1 && sysbench --version && named -v && command -v rndc-confgen',
    ]);
    expect(inside).toMatchObject({ code: 0 });
    const [uid, dnsperf, wrk, sysbench, named, rndcConfgen] = inside.stdout.split('\n');
    expect({ uid, dnsperf, wrk, sysbench, named, rndcConfgen }).toEqual({
      uid: '65532',
      dnsperf: expect.stringMatching(/^Usage: dnsperf/),
      wrk: expect.stringMatching(/^wrk /),
      sysbench: expect.stringMatching(/^sysbench 1\./),
      named: expect.stringMatching(/^BIND 9\.18\./),
      rndcConfgen: '/usr/sbin/rndc-confgen',
    });
    expect((await runInImage(built.runner.image, ['sh', '-c', 'command -v virsh'])).code).not.toBe(0);
  });
});
