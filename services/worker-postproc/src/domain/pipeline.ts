/**
 * One parse task, end to end: queued → parsing → postproc → succeeded (or failed), with the result objects
 * written before the final transition and removed again whenever the job ends cancelled or failed.
 *
 * Redelivery safety: every transition is conditional, result keys are deterministic (one set per job, a re-run
 * overwrites it), and the once-per-job audit events (pii_hit, succeeded) commit in the same transaction as the
 * final transition, so a worker killed anywhere leaves a job that the next delivery finishes exactly once.
 */
import { ERROR_CODES, parsedKeys, priorityBand, type JobStatus, type ParseTask } from '@dph/contracts';
import { DphError, toDphError } from '@dph/errors';
import { toResultJson } from '@dph/parsing';
import { auditPayloadForFinding } from '@dph/pii';
import { auditEvent, jobEvent, type EventContext, type OutboxItem } from './messages.js';
import type { Finding, JobRecord, PipelineDeps, Stage } from './ports.js';

export interface DeliveryInfo {
  deliveryCount: number;
  traceparent: string;
}

export type TaskOutcome = 'succeeded' | 'failed' | 'cancelled' | 'skipped';

const ACTIVE: readonly JobStatus[] = ['queued', 'parsing', 'postproc'];

class Cancelled extends Error {}

export async function processTask(task: ParseTask, delivery: DeliveryInfo, deps: PipelineDeps): Promise<TaskOutcome> {
  const ctx: EventContext = { source: deps.eventSource, actor: deps.actor, traceparent: delivery.traceparent, now: () => new Date() };
  let job = await deps.jobs.load(task.jobId);
  if (!job) throw new DphError(ERROR_CODES.notFound, 'job of the parse task does not exist', { retryable: false });
  const keys = parsedKeys(job.tenantScene, job.createdAt, job.jobId);
  const cleanup = () => deps.results.remove(keys);
  const started = performance.now();
  const stage = async (s: Stage) => deps.onStage?.(s, job!.jobId);
  const stopIfCancelled = async () => {
    if ((await deps.jobs.status(job!.jobId)) === 'cancelled') throw new Cancelled();
  };

  if (job.status === 'cancelled') {
    await cleanup(); // a worker may have died after writing them
    return 'cancelled';
  }
  if (job.status === 'succeeded' || job.status === 'failed') return 'skipped';

  try {
    if (job.status === 'queued') {
      const moved = await deps.jobs.toParsing(job, (j) => [
        jobEvent(j, {}, ctx),
        // The task reached a zone that accepts its classification (an unroutable one fails the job instead).
        auditEvent(j, 'routed', { classification: task.classification, priority: task.priority, band: priorityBand(task.priority) }, ctx),
        auditEvent(j, 'parsing_started', { deliveryCount: delivery.deliveryCount }, ctx),
      ]);
      if (!moved) return processAgain(task, delivery, deps);
      job = moved;
    }
    await stage('parsing');
    if (!job.rawBucket || !job.rawKey) throw new DphError(ERROR_CODES.sourceFetchFailed, 'job has no raw document', { retryable: false });
    const bytes = await deps.raw.fetch(job.rawBucket, job.rawKey);
    await stage('fetched');
    await stopIfCancelled();

    const doc = await withTimeout(
      (signal) => deps.parse({ bytes, declaredType: job!.declaredType ?? undefined, filename: job!.filename ?? undefined }, signal),
      deps.parseTimeoutMs,
    );
    await stage('parsed');
    if (job.status !== 'postproc') {
      const moved = await deps.jobs.toPostproc(job, doc.documentType, doc.engine, (j) => [
        jobEvent(j, { degraded: doc.degraded }, ctx),
        auditEvent(j, 'parsed', { documentType: doc.documentType, engine: doc.engine, degraded: doc.degraded, warnings: doc.warnings.length, blocks: doc.blocks.length }, ctx),
      ]);
      if (!moved) {
        if ((await deps.jobs.status(job.jobId)) === 'cancelled') throw new Cancelled();
        return 'skipped'; // another delivery moved it on meanwhile; that one finishes the job
      }
      job = moved;
    }

    const redactor = deps.redactorFor(job.tenantScene);
    const md = redactor.redactMarkdown(doc.markdown);
    const json = redactor.redactJson({ jobId: job.jobId, ...toResultJson(doc) });
    const chunkOptions = deps.chunkOptionsFor(job.tenantScene);
    const chunks = deps.chunk(md.markdown, job.jobId, chunkOptions);
    await stage('redacted');
    await stopIfCancelled();

    await deps.results.write(keys, {
      md: md.markdown,
      json: JSON.stringify(json.value),
      chunks: JSON.stringify({ jobId: job.jobId, maxChars: chunkOptions.maxChars, overlapChars: chunkOptions.overlapChars, chunks }),
    });
    await stage('stored');

    const piiCounts = countByType(md.findings);
    const hits = [...md.findings.map((f) => hitPayload(f, 'md')), ...json.findings.map((f) => hitPayload(f, 'json'))];
    const done = await deps.jobs.succeed(
      job,
      { documentType: doc.documentType, engine: doc.engine, degraded: doc.degraded, warnings: doc.warnings, parsedBucket: deps.results.bucket, resultKeys: keys, piiCounts },
      (j) => [
        ...hits.map((p) => auditEvent(j, 'pii_hit', p, ctx)),
        auditEvent(j, 'postproc_done', { chunks: chunks.length, piiCounts }, ctx),
        auditEvent(j, 'succeeded', { documentType: doc.documentType, engine: doc.engine, degraded: doc.degraded, durationMs: Math.round(performance.now() - started) }, ctx),
        jobEvent(j, { degraded: doc.degraded }, ctx),
      ],
    );
    if (!done) {
      if ((await deps.jobs.status(job.jobId)) === 'cancelled') throw new Cancelled();
      return 'skipped';
    }
    deps.metrics.jobDone(job.tenantScene, doc.engine, (performance.now() - started) / 1000);
    deps.metrics.piiEntities(piiCounts);
    await stage('done');
    return 'succeeded';
  } catch (err) {
    if (err instanceof Cancelled) {
      await cleanup();
      return 'cancelled';
    }
    const e = toDphError(err);
    // A retryable failure is retried by requeueing until the queue's delivery limit; the last delivery fails
    // the job itself, so a job never stays active behind a dead-lettered message.
    if (e.retryable && delivery.deliveryCount + 1 < deps.deliveryLimit) throw e;
    return failJob(job, e, ctx, deps, cleanup);
  }
}

async function processAgain(task: ParseTask, delivery: DeliveryInfo, deps: PipelineDeps): Promise<TaskOutcome> {
  const status = await deps.jobs.status(task.jobId);
  // Only re-enter when the job left `queued` to a state that processTask handles without another race.
  if (status === 'queued') throw new DphError(ERROR_CODES.serviceUnavailable, 'job transition raced; retrying', { retryable: true });
  return processTask(task, delivery, deps);
}

async function failJob(job: JobRecord, e: DphError, ctx: EventContext, deps: PipelineDeps, cleanup: () => Promise<void>): Promise<TaskOutcome> {
  const code = e.code;
  const failed = await deps.jobs.fail(job.jobId, ACTIVE, code, e.message, (j): OutboxItem[] => [
    jobEvent(j, { errorCode: code }, ctx),
    auditEvent(j, 'failed', { errorCode: code, retryable: e.retryable }, ctx),
  ]);
  await cleanup().catch(() => deps.log.warn({ jobId: job.jobId }, 'result clean-up after failure did not finish; lifecycle rules expire them'));
  if (!failed) {
    return (await deps.jobs.status(job.jobId)) === 'cancelled' ? 'cancelled' : 'skipped';
  }
  deps.metrics.jobFailed(code);
  deps.log.warn({ jobId: job.jobId, code }, 'job failed');
  return 'failed';
}

function hitPayload(f: Finding, artifact: 'md' | 'json'): Record<string, unknown> {
  return { ...auditPayloadForFinding(f), artifact };
}

function countByType(findings: readonly Finding[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) {
    const t = auditPayloadForFinding(f).entity_type;
    out[t] = (out[t] ?? 0) + 1;
  }
  return out;
}

/** Parsing runs under a time limit; engines get the signal, built-in parsers are abandoned on expiry. */
async function withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new DphError(ERROR_CODES.parseFailed, `parsing took longer than ${ms} ms`, { retryable: true }));
    }, ms);
  });
  try {
    return await Promise.race([fn(ac.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
