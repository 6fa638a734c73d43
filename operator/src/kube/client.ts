import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/** A failed API request, with the Status the API server sent when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;
export const isConflict = (error: unknown) => error instanceof ApiError && error.status === 409;
export const isGone = (error: unknown) => error instanceof ApiError && error.status === 410;

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type RequestCounter = (code: string, method: string, host: string) => void;

const AUTH_REFRESH_MS = 60_000;
/**
 * kube-apiserver ends a non-watch request itself after 60 s; one that hears nothing for
 * longer is on a connection that is gone (a server frozen or killed mid-request, a lost
 * network), and would otherwise hold its caller, a reconcile worker, forever.
 */
export interface ClientTimeouts {
  /** How long a non-watch request may hear nothing (its own timeoutMs wins). */
  requestIdleMs: number;
  /** How long a watch may wait for its response headers; its events may take longer (the informer's silence watchdog covers those). */
  streamHeadersMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { requestIdleMs: 70_000, streamHeadersMs: 30_000 };

/**
 * The operator's only way to the API server: credentials and TLS from client-node's
 * KubeConfig, one shared keep-alive agent, every request counted by status code.
 */
export class KubeClient {
  private authHeaders: Record<string, string> = {};
  private authFetchedAt = 0;

  private constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly server: URL,
    private readonly agent: Agent,
    private readonly countRequest: RequestCounter,
    private readonly timeouts: ClientTimeouts,
  ) {}

  static async create(
    kubeConfig: KubeConfig,
    countRequest: RequestCounter = () => {},
    timeouts: Partial<ClientTimeouts> = {},
  ): Promise<KubeClient> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no current cluster');
    const tls: RequestOptions = {};
    await kubeConfig.applyToHTTPSOptions(tls);
    (tls.agent as Agent | undefined)?.destroy();
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 64,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      ...(tls.servername ? { servername: tls.servername } : {}),
    });
    return new KubeClient(kubeConfig, new URL(cluster.server), agent, countRequest, {
      ...DEFAULT_TIMEOUTS,
      ...timeouts,
    });
  }

  get host(): string {
    return this.server.host;
  }

  close(): void {
    this.agent.destroy();
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const response = await this.send(req, req.timeoutMs ?? this.timeouts.requestIdleMs);
    const text = await readBody(response);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
    throw toApiError(status, text, req);
  }

  /** Opens a streaming request (a watch) and calls onLine for each newline-delimited JSON line until it ends. */
  async stream(req: KubeRequest, onLine: (line: string) => void): Promise<void> {
    const response = await this.send(req, req.timeoutMs, this.timeouts.streamHeadersMs);
    const status = response.statusCode ?? 0;
    if (status !== 200) throw toApiError(status, await readBody(response), req);
    response.setEncoding('utf8');
    let partial = '';
    return new Promise((resolve, reject) => {
      response.on('data', (chunk: string) => {
        partial += chunk;
        let newline = partial.indexOf('\n');
        while (newline >= 0) {
          const line = partial.slice(0, newline);
          partial = partial.slice(newline + 1);
          if (line.trim()) onLine(line);
          newline = partial.indexOf('\n');
        }
      });
      response.on('end', () => resolve());
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('watch stream aborted')));
      req.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private async headers(): Promise<Record<string, string>> {
    if (Date.now() - this.authFetchedAt > AUTH_REFRESH_MS) {
      const options: RequestOptions = { headers: {} };
      await this.kubeConfig.applyToHTTPSOptions(options);
      (options.agent as Agent | undefined)?.destroy();
      this.authHeaders = { ...(options.headers as Record<string, string>) };
      this.authFetchedAt = Date.now();
    }
    return this.authHeaders;
  }

  /** idleMs: the socket may be silent this long, headers included; headersMs: the response headers' deadline. */
  private async send(req: KubeRequest, idleMs?: number, headersMs?: number): Promise<IncomingMessage> {
    const url = new URL(req.path, this.server);
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...(await this.headers()),
      accept: req.accept ?? 'application/json',
    };
    if (body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      const request = httpsRequest(url, {
        method: req.method,
        headers,
        agent: this.agent,
        signal: req.signal,
      });
      if (idleMs)
        request.setTimeout(idleMs, () =>
          request.destroy(new Error(`${req.method} ${url.pathname}: no answer for ${idleMs} ms`)),
        );
      const headersDeadline =
        headersMs === undefined
          ? undefined
          : setTimeout(
              () =>
                request.destroy(
                  new Error(`${req.method} ${url.pathname}: no response within ${headersMs} ms`),
                ),
              headersMs,
            );
      request.on('close', () => clearTimeout(headersDeadline));
      request.on('response', (response) => {
        clearTimeout(headersDeadline);
        this.countRequest(String(response.statusCode), req.method, this.server.host);
        resolve(response);
      });
      request.on('error', (error) => {
        this.countRequest('<error>', req.method, this.server.host);
        reject(error);
      });
      request.end(body);
    });
  }
}

function readBody(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function toApiError(status: number, text: string, req: KubeRequest): ApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string; details?: unknown };
    return new ApiError(status, parsed.reason ?? 'Unknown', parsed.message ?? text, parsed.details);
  } catch {
    return new ApiError(status, 'Unknown', `${req.method} ${req.path}: HTTP ${status} ${text.slice(0, 200)}`);
  }
}
