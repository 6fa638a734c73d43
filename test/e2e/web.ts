// Fetching a site from a guest's forwarded port as a browser would: the site's host name in the
// Host header, and over HTTPS in SNI too.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface WebAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented (HTTPS). */
  fingerprint?: string;
}

export interface FetchOptions {
  https?: boolean;
  /** PEM: over HTTPS, accept only a certificate for hostName that chains to this; otherwise any. */
  trust?: string;
}

export function fetchSite(
  port: number,
  hostName: string,
  path: string,
  options: FetchOptions = {},
): Promise<WebAnswer> {
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      const fingerprint = options.https
        ? (response.socket as TLSSocket).getPeerCertificate().fingerprint256
        : undefined;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
          ...(fingerprint && { fingerprint }),
        }),
      );
    };
    const common = { host: '127.0.0.1', port, path, headers: { host: hostName }, timeout: 10_000 };
    const request = options.https
      ? httpsRequest(
          {
            ...common,
            servername: hostName,
            agent: false,
            ...(options.trust ? { ca: options.trust } : { rejectUnauthorized: false }),
          },
          onResponse,
        )
      : httpRequest({ ...common, agent: false }, onResponse);
    request.on('timeout', () => request.destroy(new Error(`no answer from port ${port} within 10 s`)));
    request.on('error', reject);
    request.end();
  });
}
