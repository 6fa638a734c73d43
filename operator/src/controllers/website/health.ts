import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface HealthAnswer {
  status: number;
  body: Buffer;
  /** SHA-256 fingerprint of the certificate the server presented (HTTPS). */
  fingerprint?: string;
}

/**
 * GET path from a guest's forwarded port with the site's Host header. Over HTTPS the server's
 * certificate is not verified against a CA here: the check compares its fingerprint with the
 * Secret's instead, which says that the guest serves the certificate it was given.
 */
export function fetchFromGuest(
  endpoint: { host: string; port: number },
  hostName: string,
  path: string,
  https: boolean,
  timeoutMs = 3_000,
): Promise<HealthAnswer> {
  return new Promise((resolve, reject) => {
    const options = {
      host: endpoint.host,
      port: endpoint.port,
      path,
      headers: { host: hostName },
      timeout: timeoutMs,
      // A new connection and a full handshake each time: a TLS 1.3 session resumed from an agent's
      // cache presents no certificate (getPeerCertificate() is empty), and a kept-alive connection
      // would show the certificate from before a reload.
      agent: false,
    };
    const onResponse = (response: import('node:http').IncomingMessage) => {
      const certificate = https ? (response.socket as TLSSocket).getPeerCertificate() : undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 8 * 1024 * 1024) chunks.push(chunk);
      });
      response.on('end', () => {
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks),
          ...(certificate?.fingerprint256 && { fingerprint: certificate.fingerprint256 }),
        });
      });
      response.on('error', reject);
    };
    const req = https
      ? httpsRequest(
          { ...options, servername: hostName.replace(/^\*\./, 'www.'), rejectUnauthorized: false },
          onResponse,
        )
      : httpRequest(options, onResponse);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
