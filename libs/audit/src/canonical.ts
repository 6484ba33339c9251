/**
 * The canonical text of an audit row, byte for byte what the database trigger hashes (see
 * libs/db/migrations/0003_audit_events.sql and docs/audit.md). Kept independent of the database's own functions
 * so that `dph audit verify` still proves the chain when someone with superuser rights has altered them.
 */
import * as crypto from 'node:crypto';

export const CANONICAL_VERSION = 'dph-audit-v1';
export const GENESIS_HASH = '0'.repeat(64);

/** Column values as Postgres renders them as text (the verify query selects exactly these forms). */
export interface AuditRowText {
  id: string;
  event_id: string;
  job_id: string | null;
  tenant_scene: string | null;
  event_type: string;
  actor: string;
  /** jsonb::text */
  payload: string;
  trace_id: string | null;
  /** UTC, YYYY-MM-DDTHH:MI:SS.UUUUUUZ */
  created_at: string;
  recorded_at: string;
  prev_hash: string;
}

/** <octet length>:<value>, or '-' for NULL: no value can forge a field boundary. */
function field(v: string | null): string {
  return v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`;
}

export function canonicalAuditText(r: AuditRowText): string {
  return [
    CANONICAL_VERSION,
    field(r.id),
    field(r.event_id),
    field(r.job_id),
    field(r.tenant_scene),
    field(r.event_type),
    field(r.actor),
    field(r.payload),
    field(r.trace_id),
    field(r.created_at),
    field(r.recorded_at),
    field(r.prev_hash),
  ].join('\n');
}

/** One-shot crypto.hash (Node ≥ 20.12) is about three times cheaper per row than a Hash object. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

export function auditRowHash(r: AuditRowText): string {
  return sha256Hex(canonicalAuditText(r));
}

/** The select list that renders a row in the canonical forms above (built-in functions only). */
export const AUDIT_ROW_TEXT_COLUMNS = `id::text AS id, event_id::text AS event_id, job_id::text AS job_id, tenant_scene,
  event_type, actor, payload::text AS payload, trace_id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at,
  prev_hash, hash`;
