import type { Router } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { isAuditor } from '@dph/auth';
import { ERROR_CODES } from '@dph/contracts';
import type { ApiDeps } from '../deps.js';
import { auditDenial, eventContext, validateRequest, wrap } from '../middleware.js';
import { problem } from '../problem.js';
import { queryAudit, type AuditFilter, type AuditRow } from '../../data-access/audit-repo.js';
import { enqueueAlone, findJob } from '../../data-access/jobs-repo.js';
import { auditView } from '../../domain/views.js';
import { auditMessage } from '../../domain/events.js';
import { clampLimit, normaliseTime } from '../../domain/submission.js';
import { canReadJob } from '@dph/auth';
import { scenesToSearch } from './scope.js';

const CURSOR = /^([0-9]{1,17})_([0-9]{1,18})$/;
const EXPORT_MAX_ROWS = 100_000;
const EXPORT_PAGE = 5_000;

/** The cursor is the chain position (id) of the last row shown; the OpenAPI pattern is the same as CURSOR. */
function cursorId(c: string | undefined): { createdUs: string; id: string } | undefined {
  if (c === undefined) return undefined;
  const m = CURSOR.exec(c);
  if (!m) throw problem(ERROR_CODES.validationFailed, 400, 'cursor is not one this API issued');
  return { createdUs: m[1]!, id: m[2]! };
}
const nextCursor = (rows: AuditRow[], limit: number) => {
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  return last ? `${last.created_us}_${last.id}` : null;
};

const CSV_COLUMNS = ['eventId', 'eventType', 'jobId', 'tenantScene', 'actor', 'traceId', 'createdAt', 'payload'] as const;
function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Formula-looking cells are prefixed so a spreadsheet never evaluates them.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function auditRoutes(router: Router, deps: ApiDeps): void {
  const { pool, openapi } = deps;

  router.get('/v1/jobs/:jobId/audit', validateRequest(deps, openapi.operation('getJobAudit')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const { jobId } = res.locals.params as { jobId: string };
    const q = res.locals.query as { limit?: number; cursor?: string };
    const row = await findJob(pool, jobId, scenesToSearch(p, req.get('x-tenant-scene') ?? undefined));
    if (!row || !canReadJob(p, { submitBy: row.submit_by, tenantScene: row.tenant_scene })) {
      if (row) auditDenial(deps, req, res, 'job_not_visible', 404, { tenantScene: row.tenant_scene, jobId: row.job_id });
      throw problem(ERROR_CODES.notFound, 404, 'job not found');
    }
    const limit = clampLimit(q.limit, 100);
    const rows = await queryAudit(pool, { scene: row.tenant_scene, jobId, order: 'asc', limit, after: cursorId(q.cursor) });
    res.json({ items: rows.map(auditView), nextCursor: nextCursor(rows, limit) });
  }));

  router.get('/v1/audit', validateRequest(deps, openapi.operation('queryAudit')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const q = res.locals.query as { scene: string; event_type?: string; actor?: string; since?: string; until?: string; limit?: number; cursor?: string };
    if (!isAuditor(p, q.scene)) {
      auditDenial(deps, req, res, 'not_auditor', 403, { tenantScene: q.scene });
      throw problem(ERROR_CODES.forbidden, 403, 'the auditor role for this scene is required');
    }
    const limit = clampLimit(q.limit, 100);
    const rows = await queryAudit(pool, {
      scene: q.scene, eventType: q.event_type, actor: q.actor, since: normaliseTime(q.since), until: normaliseTime(q.until),
      order: 'desc', limit,
      after: cursorId(q.cursor),
    });
    res.json({ items: rows.map(auditView), nextCursor: nextCursor(rows, limit) });
  }));

  router.post('/v1/audit/exports', validateRequest(deps, openapi.operation('exportAudit')), wrap(async (req, res) => {
    const p = res.locals.principal!;
    const body = req.body as { format: 'csv' | 'ndjson'; scene: string; event_type?: string; actor?: string; since?: string; until?: string };
    if (!isAuditor(p, body.scene)) {
      auditDenial(deps, req, res, 'not_auditor', 403, { tenantScene: body.scene });
      throw problem(ERROR_CODES.forbidden, 403, 'the auditor role for this scene is required');
    }
    const filter: AuditFilter = {
      scene: body.scene, eventType: body.event_type, actor: body.actor, since: normaliseTime(body.since),
      until: normaliseTime(body.until), order: 'asc', limit: EXPORT_PAGE,
    };
    const lines: string[] = body.format === 'csv' ? [CSV_COLUMNS.join(',')] : [];
    let count = 0;
    for (let after: AuditFilter['after']; count < EXPORT_MAX_ROWS;) {
      const rows = await queryAudit(pool, { ...filter, after });
      for (const r of rows) {
        const v = auditView(r);
        lines.push(body.format === 'csv' ? CSV_COLUMNS.map((c) => csvCell(v[c])).join(',') : JSON.stringify(v));
      }
      count += rows.length;
      if (rows.length < EXPORT_PAGE) break;
      const last = rows[rows.length - 1]!;
      after = { createdUs: last.created_us, id: last.id };
    }
    const ctx = eventContext(deps, res);
    const exportId = uuidv7();
    const d = ctx.now.toISOString().slice(0, 10).replaceAll('-', '/');
    const key = `exports/${body.scene}/${d}/${exportId}.${body.format === 'csv' ? 'csv' : 'ndjson'}`;
    await deps.store.put(deps.settings.buckets.audit, key, lines.join('\n') + '\n', {
      contentType: body.format === 'csv' ? 'text/csv' : 'application/x-ndjson',
    });
    const ttl = deps.settings.resultUrlTtlSec;
    const url = await deps.store.presignGet(deps.settings.buckets.audit, key, ttl);
    // The export is itself audited, so "all exports by a user" is a query on actor + event_type.
    await enqueueAlone(pool, [auditMessage('audit_exported', {
      jobId: null, tenantScene: body.scene, actor: p.subject,
      payload: { exportId, format: body.format, rowCount: count, filter: { eventType: body.event_type ?? null, actor: body.actor ?? null, since: body.since ?? null, until: body.until ?? null } },
    }, ctx)]);
    res.status(201).json({ exportId, format: body.format, url, expiresAt: new Date(ctx.now.getTime() + ttl * 1000).toISOString(), rowCount: count });
  }));
}
