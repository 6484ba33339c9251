import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Connection settings of any S3-compatible endpoint (AWS S3, MinIO, ...). Nothing here is MinIO-specific. */
export interface S3ConnectionOptions {
  /** https:// endpoint; omit for AWS's regional default. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** MinIO and most self-hosted S3 need path-style addressing (no bucket sub-domains). */
  forcePathStyle?: boolean;
  /** PEM CA bundle that signs the endpoint's certificate (the local stack's development CA). */
  ca?: string | Buffer;
  /** Optional client certificate for mTLS. */
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
  maxSockets?: number;
}

/** The one place the S3 SDK client is built: TLS verified against the given CA, plain http refused. */
export function createS3Client(o: S3ConnectionOptions): S3Client {
  if (o.endpoint !== undefined && !o.endpoint.startsWith('https://')) {
    throw new TypeError('S3 endpoint must be https://');
  }
  const agent = new HttpsAgent({
    keepAlive: true,
    maxSockets: o.maxSockets ?? 50,
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.clientCert !== undefined ? { cert: o.clientCert, key: o.clientKey } : {}),
    rejectUnauthorized: true,
  });
  return new S3Client({
    region: o.region,
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle ?? false,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    requestHandler: new NodeHttpHandler({ httpsAgent: agent, connectionTimeout: 5000, requestTimeout: 120_000 }),
    // Checksums only where the operation requires them: keeps streaming uploads and MinIO in agreement.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}
