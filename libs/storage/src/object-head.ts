/**
 * The HEAD of an inner_oss_ref object, on the submission hot path. The S3 SDK spends more CPU per HEAD than the
 * rest of a submission (per-command middleware stack, endpoint rules, response deserialization); this sends the
 * same request, signed by the SDK's own SigV4 signer (@smithy/signature-v4), over a keep-alive node:https agent with
 * the deployment's CA (undici closes the connection after every HEAD), and reads the headers a submission needs. Answers as ObjectStore.head does: `not_found`
 * for a missing object, `not_encrypted` for an object without SSE-KMS, `service_unavailable` otherwise.
 */
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { ERROR_CODES } from '@dph/contracts';
import { DphError } from '@dph/errors';
import { notEncrypted } from './object-store.js';
import type { S3ConnectionOptions } from './s3-client.js';

export interface HeadResult {
  contentType: string | undefined;
  contentLength: number | undefined;
}

export type ObjectHead = (bucket: string, key: string) => Promise<HeadResult>;

/** The signer's hash interface over node:crypto (SHA-256, or HMAC-SHA-256 with a secret). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Buffer =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
class NodeSha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** RFC 3986 path segment encoding as S3 expects it (keys keep their slashes). */
const encodeKey = (key: string): string => key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');

export function createObjectHead(c: S3ConnectionOptions, opts: { maxSockets?: number; timeoutMs?: number } = {}): { head: ObjectHead; close: () => void } {
  if (!c.endpoint?.startsWith('https://')) throw new TypeError('S3 endpoint must be https://');
  const base = new URL(c.endpoint);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: opts.maxSockets ?? 32,
    rejectUnauthorized: true,
    ...(c.ca !== undefined ? { ca: c.ca } : {}),
    ...(c.clientCert !== undefined ? { cert: c.clientCert, key: c.clientKey } : {}),
  });
  const send = (host: string, hostname: string, path: string, headers: Record<string, string>) => new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ agent, method: 'HEAD', host: hostname, port: base.port || 443, servername: hostname, path, headers, timeout: timeoutMs }, resolve);
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
  const signer = new SignatureV4({
    service: 's3',
    region: c.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    sha256: NodeSha256,
    uriEscapePath: false, // S3: the path is signed as sent (segments encoded once)
    applyChecksum: true,
  });
  const unavailable = (bucket: string, status?: number) => new DphError(ERROR_CODES.serviceUnavailable,
    `object storage request failed${status ? ` (HTTP ${status})` : ''}`,
    { status: 503, retryable: status === undefined || status >= 500 || status === 429, details: { bucket } });

  async function head(bucket: string, key: string): Promise<HeadResult> {
    const virtualHost = !c.forcePathStyle;
    const hostname = virtualHost ? `${bucket}.${base.hostname}` : base.hostname;
    const path = `${base.pathname.replace(/\/$/, '')}${virtualHost ? '' : `/${encodeURIComponent(bucket)}`}/${encodeKey(key)}`;
    const host = base.port ? `${hostname}:${base.port}` : hostname;
    const signed = await signer.sign({
      method: 'HEAD', protocol: 'https:', hostname, ...(base.port ? { port: Number(base.port) } : {}), path, query: {},
      headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    let res: IncomingMessage;
    try {
      res = await send(host, hostname, path, signed.headers as Record<string, string>);
    } catch {
      throw unavailable(bucket);
    }
    res.resume();
    if (res.statusCode === 404) throw new DphError(ERROR_CODES.notFound, 'object not found', { status: 404, details: { bucket } });
    if (res.statusCode !== 200) throw unavailable(bucket, res.statusCode);
    if (res.headers['x-amz-server-side-encryption'] !== 'aws:kms') throw notEncrypted(bucket);
    const type = res.headers['content-type'];
    const length = res.headers['content-length'];
    return {
      contentType: typeof type === 'string' ? type : undefined,
      contentLength: typeof length === 'string' ? Number(length) : undefined,
    };
  }
  return { head, close: () => agent.destroy() };
}
