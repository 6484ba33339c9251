/** worker-postproc settings: the common contract plus the zone this deployment serves (see docs/worker.md). */
import { CLASSIFICATIONS, SCENE_PATTERN } from '@dph/contracts';
import {
  amqpEnv, bool, commonEnv, configOrExit, csv, duration, int, loadConfigOrExit, postgresEnv, s3Env, secret, str, tlsEnv, url, z,
  type Env,
} from '@dph/config';
import { pgSettingsFromEnv, type PgSettings } from '@dph/db';
import { storageConfigFromEnv, type StorageConfig } from '@dph/storage';
import { parseEngineRoutes } from '@dph/parsing';
import { parseChunkProfiles } from '@dph/chunking';
import type { WorkerSettings } from './worker.js';

export const SERVICE = 'worker-postproc';

export const configSchema = z.object({
  ...commonEnv,
  ...tlsEnv,
  ...postgresEnv,
  ...amqpEnv,
  ...s3Env,
  /** Zone name: part of the queue names (dph.parse.<zone>.<band>). */
  DPH_WORKER_ZONE: str('a zone name of lowercase letters, digits, - or _')
    .refine((v) => SCENE_PATTERN.test(v), { error: 'expected a zone name of lowercase letters, digits, - or _' })
    .default('default'),
  /** Classifications whose parse tasks this zone's queues bind. */
  DPH_WORKER_CLASSIFICATIONS: csv(CLASSIFICATIONS).default([...CLASSIFICATIONS]),
  /** Tasks handled at the same time by one replica. */
  DPH_WORKER_CONCURRENCY: int(1, 64).default(2),
  /** Raw documents above this size fail with source_too_large. */
  DPH_WORKER_MAX_RAW_BYTES: int(1, 2 * 1024 * 1024 * 1024).default(100 * 1024 * 1024),
  DPH_WORKER_FETCH_TIMEOUT_MS: duration({ min: 100, max: 3_600_000 }).default(60_000),
  DPH_WORKER_PARSE_TIMEOUT_MS: duration({ min: 100, max: 3_600_000 }).default(300_000),
  /** Also consume dph.jobs.unrouted and fail those jobs with no_zone_for_classification. */
  DPH_WORKER_CONSUME_UNROUTED: bool().default(true),
  /** Which engine parses which type, e.g. pdf-scan:docling,pdf-native:builtin (checked in loadSettings). */
  DPH_ENGINE_ROUTES: z.string().default(''),
  DPH_DOCLING_URL: url(['http:', 'https:']).optional(),
  DPH_DOCLING_API_KEY: secret().optional(),
  DPH_MINERU_URL: url(['http:', 'https:']).optional(),
  /** Chunk sizes per scene: scene:maxChars:overlapChars,... (unlisted scenes: default 1500:150). */
  DPH_CHUNK_PROFILES: z.string().default(''),
  /** Directory of per-scene PII policies; unset: the policies bundled with @dph/pii. */
  DPH_PII_POLICY_DIR: str('a directory').optional(),
});

export type Config = z.output<typeof configSchema>;

export interface Settings {
  config: Readonly<Config>;
  pg: PgSettings;
  storage: StorageConfig;
  worker: WorkerSettings;
}

export function loadSettings(env: Env = process.env): Settings {
  const config = loadConfigOrExit(configSchema, env);
  return configOrExit(() => {
    const storage = storageConfigFromEnv(env);
    const engines = [...(config.DPH_DOCLING_URL ? ['docling'] : []), ...(config.DPH_MINERU_URL ? ['mineru'] : [])];
    const worker: WorkerSettings = {
      zone: config.DPH_WORKER_ZONE,
      classifications: config.DPH_WORKER_CLASSIFICATIONS,
      concurrency: config.DPH_WORKER_CONCURRENCY,
      deliveryLimit: config.DPH_AMQP_DELIVERY_LIMIT,
      instance: config.DPH_SERVICE_INSTANCE,
      parsedBucket: storage.buckets.parsed,
      maxRawBytes: config.DPH_WORKER_MAX_RAW_BYTES,
      fetchTimeoutMs: config.DPH_WORKER_FETCH_TIMEOUT_MS,
      parseTimeoutMs: config.DPH_WORKER_PARSE_TIMEOUT_MS,
      // an engine named in the routes must have its URL configured: checked here, at start-up
      engineRoutes: parseEngineRoutes(config.DPH_ENGINE_ROUTES, engines),
      doclingUrl: config.DPH_DOCLING_URL,
      doclingApiKey: config.DPH_DOCLING_API_KEY,
      mineruUrl: config.DPH_MINERU_URL,
      chunkProfiles: parseChunkProfiles(config.DPH_CHUNK_PROFILES),
      piiPolicyDir: config.DPH_PII_POLICY_DIR,
      consumeUnrouted: config.DPH_WORKER_CONSUME_UNROUTED,
      strictPolicies: config.DPH_ENV === 'production',
    };
    return { config, pg: pgSettingsFromEnv(env), storage, worker };
  });
}
