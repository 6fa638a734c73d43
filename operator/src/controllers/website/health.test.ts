import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fetchFromGuest } from './health.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const certificate = testdata('site.crt');

describe('fetchFromGuest over HTTPS', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // Like Apache: TLS 1.3 with session resumption, a short keep-alive.
    server = createServer({ cert: certificate, key: testdata('site.key'), keepAliveTimeout: 50 }, (_, res) =>
      res.end('site'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reports the certificate on every check, also when the server would resume the session', async () => {
    const expected = new X509Certificate(certificate).fingerprint256;
    for (let check = 0; check < 3; check++) {
      const answer = await fetchFromGuest({ host: '127.0.0.1', port }, 'www.example.test', '/', true);
      expect(answer).toMatchObject({ status: 200, fingerprint: expected });
      expect(answer.body.toString()).toBe('site');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
