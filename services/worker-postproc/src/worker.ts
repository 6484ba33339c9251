/**
 * Builds the worker from its settings and clients and starts it: zone queues per priority band (declared here),
 * the band consumer running the pipeline, the unrouted-task consumer, the outbox relay, and queue_depth.
 * main.ts creates the clients and owns shutdown; tests call startWorker with clients of the local stack.
 */
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { QUEUES, type Classification, type ParseTask } from '@dph/contracts';
import { ConfirmPublisher, MemoryDeduper, consume, consumeBands, declareParseZone, declareTopology, type ChannelSource, type MessagingLogger } from '@dph/messaging';
import { OutboxRelay, type Pool } from '@dph/db';
import type { ObjectStore } from '@dph/storage';
import { doclingAdapter, mineruAdapter, parseDocument, type EngineAdapter, type EngineRoutes, type ParseLimits } from '@dph/parsing';
import { chunkMarkdown, profileFor, type ChunkProfiles } from '@dph/chunking';
import { BUNDLED_POLICY_DIR, createEngine, loadPolicyDir, policyForScene, type PiiEngine } from '@dph/pii';
import { ConfigError, DphError } from '@dph/errors';
import { ERROR_CODES } from '@dph/contracts';
import { processTask } from './domain/pipeline.js';
import { failUnrouted } from './domain/unrouted.js';
import type { PipelineDeps, Redactor, Stage } from './domain/ports.js';
import { jobsRepo } from './data-access/jobs-repo.js';
import { rawSource } from './data-access/raw-source.js';
import { resultStore } from './data-access/result-store.js';
import { workerMetrics } from './metrics.js';

export interface WorkerSettings {
  zone: string;
  classifications: readonly Classification[];
  concurrency: number;
  deliveryLimit: number;
  instance: string;
  parsedBucket: string;
  maxRawBytes: number;
  fetchTimeoutMs: number;
  parseTimeoutMs: number;
  engineRoutes: EngineRoutes;
  doclingUrl?: string | undefined;
  doclingApiKey?: string | undefined;
  mineruUrl?: string | undefined;
  chunkProfiles: ChunkProfiles;
  piiPolicyDir?: string | undefined;
  parseLimits?: Partial<ParseLimits>;
  /** Band pollers (one channel each) sharing the concurrency; default half the concurrency. */
  pollers?: number;
  /** Whether this instance also consumes dph.jobs.unrouted (any instance may; default true). */
  consumeUnrouted?: boolean;
  /**
   * x-delivery-limit of the shared queues (dph.jobs.unrouted) when it differs from the zone queues' (tests); a
   * queue's arguments cannot change once declared. Default: deliveryLimit.
   */
  sharedDeliveryLimit?: number;
  /**
   * A scene policy that cannot be built (e.g. its pseudonymisation secret is missing) stops start-up when true
   * (production); otherwise it is logged and that scene's jobs fail with internal_error.
   */
  strictPolicies?: boolean;
  /** Whether this instance runs an outbox relay (default true). */
  runRelay?: boolean;
}

export interface WorkerClients {
  amqp: ChannelSource;
  pool: Pool;
  store: ObjectStore;
  registry: Registry;
  logger: MessagingLogger;
  listenClient?: () => pg.Client;
}

export interface RunningWorker {
  queues: string[];
  healthy(): boolean;
  stop(): Promise<void>;
}

export async function startWorker(s: WorkerSettings, c: WorkerClients, hooks: { onStage?: (stage: Stage, jobId: string) => void | Promise<void> } = {}): Promise<RunningWorker> {
  const setup = await c.amqp.createChannel();
  await declareTopology(setup, { deliveryLimit: s.sharedDeliveryLimit ?? s.deliveryLimit });
  const queues = await declareParseZone(setup, s.zone, s.classifications, { deliveryLimit: s.deliveryLimit });
  await setup.close();

  const metrics = workerMetrics(c.registry);
  const engines: Record<string, EngineAdapter> = {};
  if (s.doclingUrl) engines.docling = doclingAdapter({ baseUrl: s.doclingUrl, apiKey: s.doclingApiKey, timeoutMs: s.parseTimeoutMs });
  if (s.mineruUrl) engines.mineru = mineruAdapter({ baseUrl: s.mineruUrl, timeoutMs: s.parseTimeoutMs });
  const redactors = preloadRedactors(s, c.logger);
  const jobs = jobsRepo(c.pool);
  const deps: PipelineDeps = {
    jobs,
    raw: rawSource(c.store, { maxBytes: s.maxRawBytes, timeoutMs: s.fetchTimeoutMs }),
    results: resultStore(c.store, s.parsedBucket),
    parse: (input, signal) => parseDocument(input, { routes: s.engineRoutes, engines, ...(s.parseLimits ? { limits: s.parseLimits } : {}), ...(signal ? { signal } : {}) }),
    redactorFor(scene): Redactor {
      let e = redactors.get(scene);
      if (!e) {
        try {
          e = createEngine(policyForScene(scene, s.piiPolicyDir));
        } catch {
          c.logger.error({ scene }, 'the PII policy of this scene cannot be built; see the start-up log');
          throw new DphError(ERROR_CODES.internalError, 'the PII policy of this scene cannot be applied', { retryable: false });
        }
        redactors.set(scene, e);
      }
      return e;
    },
    chunk: chunkMarkdown,
    chunkOptionsFor: (scene) => profileFor(s.chunkProfiles, scene),
    eventSource: `dph/worker-postproc/${s.zone}`,
    actor: 'worker-postproc',
    deliveryLimit: s.deliveryLimit,
    parseTimeoutMs: s.parseTimeoutMs,
    metrics,
    ...(hooks.onStage ? { onStage: hooks.onStage } : {}),
    log: c.logger,
  };

  // basic.get is a synchronous RPC and amqplib runs one RPC at a time per channel, so one band poller's take
  // rate is bounded by the broker round trip. Several pollers (a channel each) share the slots; each take still
  // asks the bands highest first, so priority stays strict.
  const pollers = Math.max(1, Math.min(s.pollers ?? Math.ceil(s.concurrency / 2), s.concurrency));
  const handler = async (event: { data: ParseTask }, ctx: { deliveryCount: number; traceparent: string }) => {
    await processTask(event.data, { deliveryCount: ctx.deliveryCount, traceparent: ctx.traceparent }, deps);
  };
  const dedupe = new MemoryDeduper();
  const bandConsumers = await Promise.all(
    Array.from({ length: pollers }, (_, i) =>
      consumeBands<ParseTask>({
        connection: c.amqp,
        queues,
        concurrency: Math.floor(s.concurrency / pollers) + (i < s.concurrency % pollers ? 1 : 0),
        dedupe,
        logger: c.logger,
        handler,
      }),
    ),
  );
  const bands = {
    healthy: () => bandConsumers.every((b) => b.healthy()),
    cancel: () => Promise.all(bandConsumers.map((b) => b.cancel())),
  };
  const unrouted = s.consumeUnrouted === false
    ? undefined
    : await consume<ParseTask>({
        connection: c.amqp,
        queue: QUEUES.unrouted,
        prefetch: 4,
        logger: c.logger,
        handler: async (event, ctx) => {
          await failUnrouted(event.data, { source: deps.eventSource, actor: deps.actor, traceparent: ctx.traceparent, now: () => new Date() }, jobs, metrics);
        },
      });

  const publisher = new ConfirmPublisher(c.amqp, { logger: c.logger });
  const relay = s.runRelay === false ? undefined : new OutboxRelay({ pool: c.pool, publisher, ...(c.listenClient ? { listenClient: c.listenClient } : {}) });
  relay?.start();

  // A channel per scrape: checkQueue on a missing queue closes its channel, which must not stick.
  metrics.queueDepth(async () => {
    const ch = await c.amqp.createChannel();
    ch.on('error', () => {});
    const out: Record<string, number> = {};
    try {
      for (const q of [...queues, ...(unrouted ? [QUEUES.unrouted] : [])]) out[q] = (await ch.checkQueue(q)).messageCount;
    } finally {
      await ch.close().catch(() => {});
    }
    return out;
  });

  return {
    queues,
    healthy: () => bands.healthy() && (unrouted?.healthy() ?? true),
    async stop() {
      const steps: (() => Promise<unknown>)[] = [
        () => bands.cancel(),
        () => unrouted?.cancel() ?? Promise.resolve(),
        () => relay?.stop() ?? Promise.resolve(),
        () => publisher.close(),
      ];
      for (const step of steps) await step().catch(() => undefined);
    },
  };
}

/**
 * Builds every scene's PII engine once at start-up, so that a policy that cannot work (a missing
 * pseudonymisation secret, say) is found before the first job of that scene rather than by it.
 */
function preloadRedactors(s: WorkerSettings, log: MessagingLogger): Map<string, PiiEngine> {
  const engines = new Map<string, PiiEngine>();
  const dir = s.piiPolicyDir || BUNDLED_POLICY_DIR;
  for (const [scene, policy] of loadPolicyDir(dir)) {
    try {
      engines.set(scene, createEngine(policy));
    } catch (err) {
      // PolicyError messages name the policy key and the variable, never a value
      const why = err instanceof Error ? err.message : 'invalid policy';
      if (s.strictPolicies) throw new ConfigError('DPH_PII_POLICY_DIR', `scene ${scene}: ${why}`);
      log.error({ scene, reason: why }, 'PII policy of a scene cannot be built; its jobs will fail');
    }
  }
  return engines;
}
