import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import busboy from 'busboy';
import { v7 as uuidv7 } from 'uuid';
import { canCancelJob, canReadJob, canSubmit, isAuditor, isOperator, type Principal } from '@dph/auth';
import {
  CLASSIFICATIONS, DEFAULT_CLASSIFICATION, DEFAULT_PRIORITY, ERROR_CODES, rawKey, isTerminal,
  type Classification, type DocumentType, type JobStatus, type SourceType,
} from '@dph/contracts';
import { DphError, isDphError } from '@dph/errors';
import { checkEgressUrl } from '@dph/egress';
import { sealCallbackSecret } from '@dph/webhooks';
import type { ApiDeps } from '../deps.js';
import { auditDenial, eventContext, validateRequest, wrap } from '../middleware.js';
import { problem } from '../problem.js';
import { auditMessage, jobEventMessage, parseTaskMessage, type EventContext, type OutboxItem } from '../../domain/events.js';
import {
  clampLimit, decodeCursor, encodeCursor, extensionFor, fingerprint, normaliseTime, parseOssRef, redactUrl,
  type SubmissionRequest,
} from '../../domain/submission.js';
import { SNIFF_BYTES, sniffDocumentType } from '../../domain/sniff.js';
import { cancelJob, findIdempotency, findJob, insertJob, listJobs, type JobRow, type NewJob } from '../../data-access/jobs-repo.js';
import { jobSummary, jobView } from '../../domain/views.js';
import { hasSceneAccess, scenesToSearch } from './scope.js';

interface Callback {
  url: string;
  eventFilter: string[];
}

interface Accepted {
  jobId: string;
  status: string;
  createdAt: string;
  /** The per-job callback's signing secret: in the first answer only, never in an idempotent replay. */
  callbackSecret?: string;
}

const sceneNotGranted = () => problem(ERROR_CODES.sceneNotGranted, 403, 'the token does not grant this scene');
const notFound = () => problem(ERROR_CODES.notFound, 404, 'job not found');

function submitOutbox(job: NewJob, callback: Callback | undefined, ctx: EventContext): OutboxItem[] {
  return [
    parseTaskMessage({
      jobId: job.jobId, tenantScene: job.tenantScene, classification: job.classification as Classification,
      priority: job.priority, businessRef: job.businessRef, rawBucket: job.rawBucket, rawKey: job.rawKey,
      ...(job.declaredType ? { declaredType: job.declaredType } : {}),
      ...(job.filename ? { filename: job.filename } : {}),
      ...(job.documentType ? { documentType: job.documentType as DocumentType } : {}),
      submittedAt: job.createdAt.toISOString(),
    }, ctx),
    jobEventMessage({
      jobId: job.jobId, status: 'queued', tenantScene: job.tenantScene, businessRef: job.businessRef,
      occurredAt: job.createdAt.toISOString(), callback,
    }, ctx),
    auditMessage('submitted', {
      jobId: job.jobId, tenantScene: job.tenantScene, actor: job.submitBy,
      payload: { sourceType: job.sourceType, classification: job.classification, priority: job.priority, documentType: job.documentType },
    }, ctx),
  ];
}

/** Counts and hashes the document on its way to the bucket (the digest fingerprints uploads for idempotency). */
class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/** Reads up to `n` bytes for sniffing, then hands back a stream that replays them followed by the rest. */
async function peek(stream: Readable, n: number): Promise<{ head: Buffer; body: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  while (size < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = r.value as Buffer;
    chunks.push(c);
    size += c.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }
  return { head, body: Readable.from(replay(), { objectMode: false }) };
}

function classificationOf(req: Request): Classification {
  const v = req.get('x-data-classification');
  return v && (CLASSIFICATIONS as readonly string[]).includes(v) ? (v as Classification) : DEFAULT_CLASSIFICATION;
}

async function checkCallback(deps: ApiDeps, raw: unknown): Promise<Callback | undefined> {
  if (raw === undefined || raw === null) return undefined;
  const cb = raw as { url: string; event_filter?: string[] };
  const checked = await checkEgressUrl(cb.url, {
    allowHttp: deps.settings.env === 'development',
    ...(deps.settings.egressAllowCidrs ? { allowCidrs: deps.settings.egressAllowCidrs } : {}),
  });
  if (checked.url.username || checked.url.password) {
    throw problem(ERROR_CODES.validationFailed, 422, 'callback.url must not carry credentials');
  }
  return { url: checked.url.toString(), eventFilter: cb.event_filter ?? ['job.*'] };
}

export function jobRoutes(router: Router, deps: ApiDeps): void {
  const { settings, store, pool, openapi } = deps;
  const op = (id: string) => openapi.operation(id);
  const headObject = deps.headObject ?? ((bucket: string, key: string) => store.head(bucket, key));

  /** The part common to every source once the document (or reference) is in place. */
  async function finish(
    req: Request, res: Response, p: Principal,
    job: NewJob, sub: SubmissionRequest, callback: Callback | undefined, uploaded: boolean,
  ): Promise<void> {
    const idemKey = req.get('x-idempotency-key');
    const accepted: Accepted = { jobId: job.jobId, status: 'queued', createdAt: job.createdAt.toISOString() };
    // A per-job callback signs like a one-job subscription: its secret is sealed beside the job (the dispatcher
    // opens it from jobs.callback.secret) and shown to the submitter once. Events carry only url and filter.
    const sealed = callback && deps.webhooks ? await sealCallbackSecret(deps.webhooks.storage, job) : undefined;
    const row = sealed ? { ...job, callback: { ...callback, secret: sealed.record } } : job;
    const outcome = await insertJob(pool, row, submitOutbox(job, callback, eventContext(deps, res)),
      idemKey ? { subject: p.subject, key: idemKey, fingerprint: fingerprint(sub), response: accepted } : undefined);
    if (outcome.kind === 'created') {
      res.status(202).json(sealed ? { ...accepted, callbackSecret: sealed.secret } : accepted);
      return;
    }
    if (uploaded) await store.delete(job.rawBucket, job.rawKey).catch(() => undefined);
    replayOrConflict(res, outcome.kind, outcome.record);
  }

  function replayOrConflict(res: Response, kind: 'replay' | 'conflict', record: { job_id: string | null; response: Accepted | null }) {
    if (kind === 'replay' && record.response) {
      res.setHeader('Idempotent-Replayed', 'true');
      res.status(200).json(record.response);
      return;
    }
    throw problem(ERROR_CODES.duplicateIdempotencyKey, 409, 'this idempotency key was used for a different request', {
      existingJobId: record.job_id ?? undefined,
    });
  }

  function baseChecks(req: Request, res: Response): { p: Principal; scene: string } {
    const p = res.locals.principal!;
    const scene = req.get('x-tenant-scene')!;
    if (!canSubmit(p, scene)) {
      auditDenial(deps, req, res, 'scene_not_granted', 403, { tenantScene: scene });
      throw sceneNotGranted();
    }
    if (settings.requireIdempotencyKey && !req.get('x-idempotency-key')) {
      throw problem(ERROR_CODES.idempotencyKeyRequired, 400, 'X-Idempotency-Key is required');
    }
    return { p, scene };
  }

  async function submitJson(req: Request, res: Response): Promise<void> {
    const { p, scene } = baseChecks(req, res);
    const body = req.body as { business_ref: string; priority?: number; source: { type: SourceType; url_or_ref: string }; callback?: unknown };
    const callback = await checkCallback(deps, body.callback);
    const sub: SubmissionRequest = {
      tenantScene: scene, classification: classificationOf(req), businessRef: body.business_ref,
      priority: body.priority ?? DEFAULT_PRIORITY, sourceType: body.source.type, sourceRef: body.source.url_or_ref, callback,
    };
    const idemKey = req.get('x-idempotency-key');
    // A replay of a URL or reference submission is answered before anything is fetched.
    if (idemKey) {
      const rec = await findIdempotency(pool, scene, p.subject, idemKey);
      if (rec) return replayOrConflict(res, rec.request_fingerprint === fingerprint(sub) ? 'replay' : 'conflict', rec);
    }
    const jobId = uuidv7();
    const createdAt = deps.now?.() ?? new Date();
    const base = {
      jobId, tenantScene: scene, businessRef: sub.businessRef, sourceType: sub.sourceType, classification: sub.classification,
      priority: sub.priority, submitBy: p.subject, callback, createdAt, filename: null,
    };
    if (sub.sourceType === 'inner_oss_ref') {
      const ref = parseOssRef(sub.sourceRef, settings.innerOssBuckets);
      let declaredType: string | null;
      try {
        declaredType = (await headObject(ref.bucket, ref.key)).contentType ?? null;
      } catch (err) {
        if (isDphError(err) && err.code === ERROR_CODES.notFound) {
          throw problem(ERROR_CODES.sourceNotFound, 422, 'inner_oss_ref names no existing object');
        }
        if (isDphError(err) && err.code === ERROR_CODES.notEncrypted) {
          throw problem(ERROR_CODES.sourceRefNotAllowed, 422, 'inner_oss_ref object is not SSE-KMS encrypted');
        }
        throw err;
      }
      // Referenced in place: the object already lives in an allowed, KMS-encrypted bucket; the worker sniffs it.
      const job: NewJob = { ...base, sourceRef: sub.sourceRef, rawBucket: ref.bucket, rawKey: ref.key, declaredType, documentType: null };
      return finish(req, res, p, job, sub, callback, false);
    }
    // presigned_url: fetched through the SSRF guard, copied into the raw bucket.
    const fetched = await deps.fetchSource(sub.sourceRef);
    if (fetched.status !== 200) {
      fetched.body.destroy();
      throw problem(ERROR_CODES.sourceFetchFailed, 502, `source answered HTTP ${fetched.status}`);
    }
    const { head, body: doc } = await peek(fetched.body, SNIFF_BYTES);
    const filename = decodeURIComponent(new URL(sub.sourceRef).pathname.split('/').pop() ?? '').slice(0, 255) || null;
    const documentType = (await sniffDocumentType(head, fetched.contentType, filename ?? undefined)) ?? null;
    const key = rawKey(scene, createdAt, jobId, extensionFor(documentType ?? undefined));
    await store.put(settings.buckets.raw, key, doc, { maxBytes: settings.sourceMaxBytes, ...(fetched.contentType ? { contentType: fetched.contentType } : {}) });
    const job: NewJob = {
      ...base, filename, sourceRef: redactUrl(sub.sourceRef), rawBucket: settings.buckets.raw, rawKey: key,
      declaredType: fetched.contentType ?? null, documentType,
    };
    return finish(req, res, p, job, sub, callback, true);
  }

  async function submitUpload(req: Request, res: Response): Promise<void> {
    const { p, scene } = baseChecks(req, res);
    const jobId = uuidv7();
    const createdAt = deps.now?.() ?? new Date();
    const fields: Record<string, string> = {};
    let problemOut: DphError | undefined;
    let upload: Promise<{ key: string; digest: string; bytes: number; documentType: DocumentType | null; filename: string | null; mime: string | null }> | undefined;
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 8, parts: 10, fieldSize: 8192, fileSize: settings.maxUploadBytes + 1, headerPairs: 50 },
      });
    } catch {
      throw problem(ERROR_CODES.validationFailed, 400, 'malformed multipart body');
    }
    const done = new Promise<void>((resolve) => {
      bb.on('field', (name, value, info) => {
        if (info.valueTruncated) problemOut ??= problem(ERROR_CODES.validationFailed, 400, `form field ${name.slice(0, 40)} is too long`);
        fields[name] = value;
      });
      bb.on('file', (name, file, info) => {
        if (name !== 'file' || upload) {
          file.resume();
          problemOut ??= problem(ERROR_CODES.validationFailed, 400, 'exactly one file part named "file" is expected');
          return;
        }
        const filename = info.filename ? info.filename.slice(0, 255) : null;
        const mime = info.mimeType && info.mimeType !== 'application/octet-stream' ? info.mimeType : null;
        upload = (async () => {
          const digest = new Digest();
          const { head, body } = await peek(file, SNIFF_BYTES);
          const documentType = (await sniffDocumentType(head, mime ?? undefined, filename ?? undefined)) ?? null;
          const key = rawKey(scene, createdAt, jobId, extensionFor(documentType ?? undefined));
          body.once('error', (e) => digest.destroy(e));
          await store.put(settings.buckets.raw, key, body.pipe(digest), { maxBytes: settings.maxUploadBytes, ...(mime ? { contentType: mime } : {}) });
          return { key, digest: digest.hash.digest('hex'), bytes: digest.bytes, documentType, filename, mime };
        })();
        upload.catch(() => file.resume());
      });
      bb.on('partsLimit', () => (problemOut ??= problem(ERROR_CODES.validationFailed, 400, 'too many form parts')));
      bb.on('fieldsLimit', () => (problemOut ??= problem(ERROR_CODES.validationFailed, 400, 'too many form fields')));
      bb.on('filesLimit', () => (problemOut ??= problem(ERROR_CODES.validationFailed, 400, 'exactly one file part named "file" is expected')));
      bb.on('error', () => {
        problemOut ??= problem(ERROR_CODES.validationFailed, 400, 'malformed multipart body');
        resolve();
      });
      bb.on('close', () => resolve());
    });
    req.pipe(bb);
    await done;
    let stored: Awaited<NonNullable<typeof upload>> | undefined;
    try {
      stored = upload ? await upload : undefined;
    } catch (err) {
      req.unpipe(bb);
      req.resume();
      throw err; // payload_too_large (no object left: the multipart upload was aborted) or storage errors
    }
    const cleanup = async () => {
      if (stored) await store.delete(settings.buckets.raw, stored.key).catch(() => undefined);
    };
    try {
      if (problemOut) throw problemOut;
      if (!stored) throw problem(ERROR_CODES.validationFailed, 400, 'the form has no part named "file"');
      if (stored.bytes === 0) throw problem(ERROR_CODES.emptyContent, 422, 'the document is empty');
      const form: Record<string, unknown> = { ...fields, file: 'x' };
      if (typeof form.priority === 'string' && /^[0-9]{1,2}$/.test(form.priority)) form.priority = Number(form.priority);
      // JSON-valued form fields (OpenAPI encoding application/json) are parsed, then the whole form is validated.
      for (const k of ['source', 'callback']) if (fields[k] !== undefined) form[k] = safeJson(fields[k]);
      const issues = openapi.validateBody(op('submitJob'), 'multipart/form-data', form);
      const callbackRaw = form.callback;
      if (issues.length > 0) throw problem(ERROR_CODES.validationFailed, 400, 'request does not match the API contract', { errors: issues });
      const callback = await checkCallback(deps, callbackRaw);
      const sub: SubmissionRequest = {
        tenantScene: scene, classification: classificationOf(req), businessRef: fields.business_ref!,
        priority: (form.priority as number | undefined) ?? DEFAULT_PRIORITY, sourceType: 'direct_upload', sourceRef: stored.digest, callback,
      };
      const job: NewJob = {
        jobId, tenantScene: scene, businessRef: sub.businessRef, sourceType: 'direct_upload', sourceRef: null,
        classification: sub.classification, priority: sub.priority, submitBy: p.subject, callback, createdAt,
        rawBucket: settings.buckets.raw, rawKey: stored.key, declaredType: stored.mime, filename: stored.filename,
        documentType: stored.documentType,
      };
      await finish(req, res, p, job, sub, callback, true);
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  router.post('/v1/jobs', validateRequest(deps, op('submitJob')), wrap(async (req, res) => {
    if (req.is('multipart/form-data')) return submitUpload(req, res);
    return submitJson(req, res);
  }));

  /** Loads a job the caller may read; otherwise 404 (and an audit event when it exists but is not theirs). */
  async function readableJob(req: Request, res: Response, jobId: string): Promise<JobRow> {
    const p = res.locals.principal!;
    const row = await findJob(pool, jobId, scenesToSearch(p, req.get('x-tenant-scene') ?? undefined));
    if (row && canReadJob(p, { submitBy: row.submit_by, tenantScene: row.tenant_scene })) return row;
    if (row) auditDenial(deps, req, res, 'job_not_visible', 404, { tenantScene: row.tenant_scene, jobId: row.job_id });
    throw notFound();
  }

  async function resultUrls(row: JobRow) {
    if (row.status !== 'succeeded' || !row.result_keys) return null;
    const bucket = row.parsed_bucket ?? settings.buckets.parsed;
    const ttl = settings.resultUrlTtlSec;
    const [md, json, chunks] = await Promise.all([
      store.presignGet(bucket, row.result_keys.md, ttl),
      store.presignGet(bucket, row.result_keys.json, ttl),
      store.presignGet(bucket, row.result_keys.chunks, ttl),
    ]);
    return { md, json, chunks };
  }

  router.get('/v1/jobs/:jobId', validateRequest(deps, op('getJob')), wrap(async (req, res) => {
    const { jobId } = res.locals.params as { jobId: string };
    const q = res.locals.query as { wait?: number; since_status?: JobStatus };
    let row = await readableJob(req, res, jobId);
    const wait = Math.min(q.wait ?? 0, 30);
    if (wait > 0) {
      // Short polling (scene-scoped reads); returns as soon as the status differs from the known one.
      const known = q.since_status ?? row.status;
      const deadline = Date.now() + wait * 1000;
      let closed = false;
      req.once('close', () => (closed = true));
      while (row.status === known && !isTerminal(row.status) && Date.now() < deadline && !closed) {
        await new Promise((r) => setTimeout(r, Math.min(settings.longPollIntervalMs, Math.max(0, deadline - Date.now()))));
        row = (await findJob(pool, jobId, [row.tenant_scene])) ?? row;
      }
    }
    res.json(jobView(row, await resultUrls(row)));
  }));

  router.get('/v1/jobs', validateRequest(deps, op('listJobs')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const q = res.locals.query as { scene?: string; status?: string; business_ref?: string; created_after?: string; created_before?: string; limit?: number; cursor?: string };
    const limit = clampLimit(q.limit);
    const cursor = decodeCursor(q.cursor);
    let scenes: string[];
    if (q.scene) {
      if (!hasSceneAccess(p, q.scene)) {
        auditDenial(deps, req, res, 'scene_not_granted', 403, { tenantScene: q.scene });
        throw sceneNotGranted();
      }
      scenes = [q.scene];
    } else {
      scenes = scenesToSearch(p, undefined);
    }
    const pages = await Promise.all(scenes.map((scene) => listJobs(pool, {
      scene,
      submitBy: isOperator(p, scene) || isAuditor(p, scene) ? undefined : p.subject,
      status: q.status, businessRef: q.business_ref,
      createdAfter: normaliseTime(q.created_after), createdBefore: normaliseTime(q.created_before),
      cursor, limit: limit + 1,
    })));
    const merged = pages.flat().sort((a, b) => cmpDesc(a.created_us, b.created_us) || (a.job_id < b.job_id ? 1 : -1));
    const items = merged.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = merged.length > limit && last ? encodeCursor({ createdUs: last.created_us, id: last.job_id }) : null;
    res.json({ items: items.map(jobSummary), nextCursor });
  }));

  router.post('/v1/jobs/:jobId/cancel', validateRequest(deps, op('cancelJob')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const { jobId } = res.locals.params as { jobId: string };
    const row = await readableJob(req, res, jobId);
    if (!canCancelJob(p, { submitBy: row.submit_by, tenantScene: row.tenant_scene })) {
      auditDenial(deps, req, res, 'cancel_not_allowed', 403, { tenantScene: row.tenant_scene, jobId: row.job_id });
      throw problem(ERROR_CODES.forbidden, 403, 'auditors may read jobs but not cancel them');
    }
    const ctx = eventContext(deps, res);
    const r = await cancelJob(pool, row.tenant_scene, jobId, (j) => [
      jobEventMessage({ jobId: j.job_id, status: 'cancelled', tenantScene: j.tenant_scene, businessRef: j.business_ref, occurredAt: ctx.now.toISOString(), errorCode: 'cancelled', callback: j.callback ? { url: j.callback.url, eventFilter: j.callback.eventFilter } : undefined }, ctx),
      auditMessage('cancelled', { jobId: j.job_id, tenantScene: j.tenant_scene, actor: p.subject, payload: { previousStatus: row.status } }, ctx),
    ]);
    if (!r.cancelled) throw problem(ERROR_CODES.alreadyTerminal, 409, `job is already ${r.row?.status ?? 'finished'}`);
    res.json({ cancelled: true, jobId, status: 'cancelled' });
  }));
}

/** Descending order of decimal integer strings (microsecond timestamps exceed 2^53 only in year 2255). */
function cmpDesc(a: string, b: string): number {
  return a.length !== b.length ? b.length - a.length : a < b ? 1 : a > b ? -1 : 0;
}

function safeJson(s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return '(invalid JSON)';
  }
}
