import type { TokenVerifier, Principal } from '@dph/auth';
import type { Pool } from '@dph/db';
import type { ObjectHead, ObjectStore } from '@dph/storage';
import type { Logger } from '@dph/logging';
import type { Readable } from 'node:stream';
import type { RateLimits } from './rate-limit.js';
import type { OpenApiValidator } from './openapi/validator.js';

export interface ApiSettings {
  env: 'development' | 'test' | 'production';
  /** CloudEvent source, e.g. orchestrator-api@host-1 */
  source: string;
  buckets: { raw: string; parsed: string; audit: string };
  /** Buckets an inner_oss_ref may name. */
  innerOssBuckets: readonly string[];
  maxUploadBytes: number;
  maxJsonBytes: number;
  /** presigned_url sources: size cap and whole-fetch timeout. */
  sourceMaxBytes: number;
  sourceTimeoutMs: number;
  requireIdempotencyKey: boolean;
  /** DPH_EGRESS_ALLOW_CIDRS: ranges opened on purpose for callbacks and sources (the local stack: loopback). */
  egressAllowCidrs?: string | undefined;
  resultUrlTtlSec: number;
  longPollIntervalMs: number;
}

export interface FetchedSource {
  status: number;
  contentType: string | undefined;
  body: Readable;
}

export interface ApiDeps {
  settings: ApiSettings;
  verifier: TokenVerifier;
  pool: Pool;
  store: ObjectStore;
  /** HEAD of an inner_oss_ref object (createObjectHead in @dph/storage); store.head when absent. */
  headObject?: ObjectHead;
  limits: RateLimits;
  /** presigned_url fetch through the SSRF guard (@dph/egress fetchGuarded). */
  fetchSource: (url: string) => Promise<FetchedSource>;
  openapi: OpenApiValidator;
  openapiJson: string;
  logger: Logger;
  /** Webhook subscription routes; absent when not wired. */
  webhooks?: import('./routes/webhooks.js').WebhookRoutesDeps;
  now?: () => Date;
}

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
    requestId?: string;
    traceparent?: string;
    traceId?: string | null;
  }
}
