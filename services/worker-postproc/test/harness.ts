// Test harness on the real local stack (Postgres, RabbitMQ, MinIO over TLS): job rows, raw objects, parse
// tasks, and a worker started in-process on a zone of its own so tests never share queues.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { requireStack, serviceEnv, pgAdminClientConfig } from '@dph/testkit';
import { createPool, pgSettingsFromEnv, type Pool } from '@dph/db';
import { connectAmqp, type AmqpConnection } from '@dph/messaging';
import { objectStoreFromConfig, storageConfigFromEnv, type StorageConfig } from '@dph/storage';
import { parseChunkProfiles } from '@dph/chunking';
import { QUEUES, PRIORITY_BANDS, dlqName, parsedKeys, priorityBand, rawKey, type Classification, type JobStatus, type ParseTask } from '@dph/contracts';
import { startWorker, type RunningWorker, type WorkerSettings } from '../src/worker.js';
import type { Stage } from '../src/domain/ports.js';

export const SCENE = 'wtest';
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface Stack {
  env: Record<string, string>;
  pool: Pool;
  admin: pg.Pool;
  amqp: AmqpConnection;
  storage: StorageConfig;
  objects: ReturnType<typeof objectStoreFromConfig>;
  close(): Promise<void>;
}

export async function openStack(poolMax = 20): Promise<Stack> {
  requireStack();
  const env = serviceEnv('worker-postproc');
  const pool = createPool(pgSettingsFromEnv(env), { applicationName: 'worker-test', max: poolMax });
  const admin = new pg.Pool({ ...pgAdminClientConfig(), max: 4 });
  const amqp = await connectAmqp({ url: env.DPH_AMQP_URL!, caFile: env.DPH_TLS_CA_FILE!, connectionName: 'worker-test' });
  const storage = storageConfigFromEnv(env);
  const objects = objectStoreFromConfig(storage);
  return {
    env, pool, admin, amqp, storage, objects,
    async close() {
      await amqp.close().catch(() => {});
      objects.close();
      await pool.end();
      await admin.end();
    },
  };
}

export function zoneName(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function settings(stack: Stack, zone: string, over: Partial<WorkerSettings> = {}): WorkerSettings {
  return {
    zone,
    classifications: ['public', 'internal', 'confidential'],
    concurrency: 4,
    deliveryLimit: 3,
    sharedDeliveryLimit: Number(stack.env.DPH_AMQP_DELIVERY_LIMIT ?? 5),
    instance: 'test',
    parsedBucket: stack.storage.buckets.parsed,
    maxRawBytes: 20 * 1024 * 1024,
    fetchTimeoutMs: 10_000,
    parseTimeoutMs: 30_000,
    engineRoutes: {},
    chunkProfiles: parseChunkProfiles('wtest:400:40'),
    consumeUnrouted: false,
    ...over,
  };
}

export async function runWorker(
  stack: Stack,
  s: WorkerSettings,
  onStage?: (stage: Stage, jobId: string) => void | Promise<void>,
  registry: Registry = new Registry(),
): Promise<RunningWorker> {
  return startWorker(s, { amqp: stack.amqp, pool: stack.pool, store: stack.objects.store, registry, logger: quiet }, onStage ? { onStage } : {});
}

/** Publishes through dph.jobs like the orchestrator's relay does (mandatory, alternate exchange applies). */
export async function publishRouted(stack: Stack, routingKey: string, task: ParseTask): Promise<void> {
  const ch = await stack.amqp.createConfirmChannel();
  try {
    ch.publish('dph.jobs', routingKey, taskEvent(task), { persistent: true, mandatory: true, contentType: 'application/cloudevents+json' });
    await ch.waitForConfirms();
  } finally {
    await ch.close();
  }
}

export interface TestJob {
  jobId: string;
  createdAt: Date;
  task: ParseTask;
  keys: { md: string; json: string; chunks: string };
}

export async function createJob(
  stack: Stack,
  content: Uint8Array | string | null,
  o: { filename?: string; declaredType?: string; priority?: number; classification?: Classification; status?: JobStatus; ext?: string } = {},
): Promise<TestJob> {
  const jobId = randomUUID();
  const createdAt = new Date();
  const key = rawKey(SCENE, createdAt, jobId, o.ext ?? 'bin');
  const bucket = stack.storage.buckets.raw;
  if (content !== null) await stack.objects.store.put(bucket, key, typeof content === 'string' ? Buffer.from(content) : Buffer.from(content));
  const classification = o.classification ?? 'internal';
  const priority = o.priority ?? 5;
  await stack.admin.query(
    `INSERT INTO public.jobs (job_id, tenant_scene, business_ref, source_type, data_classification, priority, status, submit_by,
                              raw_bucket, raw_key, declared_type, filename, created_at)
     VALUES ($1, $2, 'ref-1', 'direct_upload', $3, $4, $5, 'tester', $6, $7, $8, $9, $10)`,
    [jobId, SCENE, classification, priority, o.status ?? 'queued', bucket, key, o.declaredType ?? null, o.filename ?? null, createdAt],
  );
  const task: ParseTask = {
    jobId, tenantScene: SCENE, classification, priority, businessRef: 'ref-1', rawBucket: bucket, rawKey: key,
    ...(o.declaredType ? { declaredType: o.declaredType } : {}), ...(o.filename ? { filename: o.filename } : {}), submittedAt: createdAt.toISOString(),
  };
  return { jobId, createdAt, task, keys: parsedKeys(SCENE, createdAt, jobId) };
}

export function taskEvent(task: ParseTask): Buffer {
  return Buffer.from(JSON.stringify({
    specversion: '1.0', id: randomUUID(), source: 'test', type: 'dph.job.parse_requested', time: new Date().toISOString(),
    subject: task.jobId, datacontenttype: 'application/json', data: task,
  }));
}

/** Straight into the zone's band queue (default exchange): no other zone sees it. */
export async function enqueue(stack: Stack, zone: string, task: ParseTask): Promise<void> {
  const ch = await stack.amqp.createConfirmChannel();
  try {
    ch.sendToQueue(QUEUES.parse(zone, priorityBand(task.priority)), taskEvent(task), { persistent: true, contentType: 'application/cloudevents+json' });
    await ch.waitForConfirms();
  } finally {
    await ch.close();
  }
}

export async function waitForStatus(stack: Stack, jobId: string, statuses: JobStatus[], timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await stack.admin.query('SELECT * FROM public.jobs WHERE job_id = $1', [jobId]);
    const row = r.rows[0] as Record<string, unknown> | undefined;
    if (row && statuses.includes(row.status as JobStatus)) return row;
    if (Date.now() > end) throw new Error(`job ${jobId} still ${String(row?.status)} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** The CloudEvents this job's transitions wrote to the outbox, oldest first. */
export async function outboxEvents(stack: Stack, jobId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const r = await stack.admin.query(
    `SELECT convert_from(body, 'UTF8')::jsonb AS ev FROM public.outbox WHERE convert_from(body, 'UTF8')::jsonb->>'subject' = $1 ORDER BY id`,
    [jobId],
  );
  return r.rows.map((x: { ev: { type: string; data: Record<string, unknown> } }) => x.ev);
}

export async function objectsOf(stack: Stack, job: TestJob): Promise<string[]> {
  const prefix = job.keys.md.replace(/result\.md$/, '');
  return (await stack.objects.store.list(stack.storage.buckets.parsed, prefix)).map((o) => o.key).sort();
}

export async function readObject(stack: Stack, key: string): Promise<string> {
  const { body } = await stack.objects.store.get(stack.storage.buckets.parsed, key);
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function deleteZone(stack: Stack, zone: string): Promise<void> {
  const ch = await stack.amqp.createChannel();
  ch.on('error', () => {});
  for (const band of PRIORITY_BANDS) {
    const q = QUEUES.parse(zone, band);
    await ch.deleteQueue(q).catch(() => {});
    await ch.deleteQueue(dlqName(q)).catch(() => {});
  }
  await ch.close().catch(() => {});
}
