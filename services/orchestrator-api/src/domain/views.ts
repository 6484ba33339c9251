import type { AuditRow } from '../data-access/audit-repo.js';
import type { JobRow } from '../data-access/jobs-repo.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function jobSummary(r: JobRow) {
  return {
    jobId: r.job_id,
    status: r.status,
    tenantScene: r.tenant_scene,
    businessRef: r.business_ref,
    priority: r.priority,
    degraded: r.degraded,
    errorCode: r.error_code,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function jobView(r: JobRow, resultUrls: { md: string; json: string; chunks: string } | null) {
  return {
    jobId: r.job_id,
    status: r.status,
    tenantScene: r.tenant_scene,
    businessRef: r.business_ref,
    classification: r.data_classification,
    priority: r.priority,
    sourceType: r.source_type,
    progress: r.status === 'succeeded' ? 100 : r.progress,
    degraded: r.degraded,
    warnings: Array.isArray(r.warnings) ? r.warnings.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))) : [],
    errorCode: r.error_code,
    errorMsg: r.error_msg,
    documentType: r.document_type,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    resultUrls,
  };
}

export function auditView(r: AuditRow) {
  return {
    eventId: r.event_id,
    eventType: r.event_type,
    jobId: r.job_id,
    tenantScene: r.tenant_scene,
    actor: r.actor,
    payload: r.payload,
    traceId: r.trace_id,
    createdAt: r.created_at.toISOString(),
  };
}
