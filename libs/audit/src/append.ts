/**
 * Appends a batch to the hash chain with the chain computed here instead of by the per-row database trigger
 * (migration 0060, docs/audit.md "The hash chain"). In one READ COMMITTED transaction:
 *
 * 1. take the chain's advisory lock (the key the trigger takes, so trigger-path inserts and any number of writer
 *    replicas serialise on one lock), then, in a new statement (a snapshot taken after the lock, so the rows
 *    of the writer we waited for are visible): the last row, the database clock, and which of the batch's
 *    event ids are already written;
 * 2. drop those and repeats within the batch (a duplicate must not advance the chain), number the rest from the
 *    last row, and hash each one's canonical text (canonical.ts: the bytes `dph audit verify` recomputes);
 * 3. insert them in one statement. The statement makes the database check the two renderings the hash depends
 *    on that are not taken verbatim (the payload's jsonb text, created_at's canonical timestamp); on a mismatch
 *    it raises DA001 and the batch is sent again without hashes, through the trigger. The statement-level
 *    guard of 0060 refuses rows that do not continue the chain.
 *
 * Returns the number of rows written; the rest were duplicates.
 */
import { withTransaction, pgErrorCode, prepared, type Pool, type PoolClient } from '@dph/db';
import { GENESIS_HASH, auditRowHash, type AuditRowText } from './canonical.js';
import { insertAuditRows } from './insert.js';
import type { AuditRow } from './audit-row.js';

/** The chain trigger's advisory lock key (migrations 0003–0006). */
export const AUDIT_CHAIN_LOCK = [1685088353, 1] as const;
/** SQLSTATE raised by the insert when the database renders a value differently from the hashed text. */
export const AUDIT_NONCANONICAL = 'DA001';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** A number as Postgres numeric_out prints it (plain decimal, no exponent): jsonb stores numbers as numeric. */
function numericText(n: number): string {
  if (!Number.isFinite(n)) return 'null'; // JSON has no such value; JSON.stringify writes null as well
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s.startsWith('-');
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const intLen = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${'0'.repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return neg ? `-${out}` : out;
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex

/** jsonb's key order: UTF-8 length, then bytes. For ASCII keys that is length, then code units. */
function byJsonbKeyOrder(a: string, b: string): number {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length - y.length || Buffer.compare(x, y);
}

/**
 * jsonb's text output for a parsed JSON value: object keys ordered by UTF-8 length, then bytewise; ", " and
 * ": " separators; numbers as numeric prints them. The database checks each payload against it at insert time.
 */
export function jsonbText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return numericText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map(jsonbText).join(', ')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    const o = v as Record<string, unknown>;
    if (keys.length > 1) keys.sort(byJsonbKeyOrder);
    let out = '{';
    for (let i = 0; i < keys.length; i++) out += `${i ? ', ' : ''}${JSON.stringify(keys[i])}: ${jsonbText(o[keys[i]!])}`;
    return `${out}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A Date as the canonical timestamp (UTC, microseconds; a Date holds milliseconds). */
export function canonicalTimestamp(d: Date): string {
  return `${d.toISOString().slice(0, -1)}000Z`;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A Postgres array literal of text elements ({"a","b",NULL}), sent as one text parameter and cast in SQL. The
 * driver's own array encoder runs two regex replaces per element, which at 11 columns × 1,000 rows was the
 * writer's largest single cost after JSON parsing; here an element is quoted as is unless it holds a quote or
 * a backslash.
 */
export function pgTextArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else if (!NEEDS_ESCAPE.test(v)) out += `"${v}"`;
    else out += `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

interface Head {
  id: string | null;
  hash: string | null;
  now: string;
  known: string[];
}

export interface AppendOptions {
  /** The payload text that is hashed and sent; jsonbText unless a test needs a renderer the database disagrees with. */
  renderPayload?: (payload: Record<string, unknown>) => string;
}

// The writer's two statements per batch, prepared (planning them cost more than running them at small batches).
const HEAD_SQL = prepared('dph_audit_head', `SELECT l.id::text AS id, l.hash, to_char(clock_timestamp() AT TIME ZONE 'UTC', ${TS}) AS now,
       ARRAY(SELECT a.event_id::text FROM public.audit_events a WHERE a.event_id = ANY($1::uuid[])) AS known
  FROM (SELECT 1) one
  LEFT JOIN LATERAL (SELECT a.id, a.hash FROM public.audit_events a ORDER BY a.id DESC LIMIT 1) l ON true`);
// OFFSET 0 keeps the subquery from being flattened, so each payload is parsed once.
const APPEND_SQL = prepared('dph_audit_append', `INSERT INTO public.audit_events
       (id, event_id, job_id, tenant_scene, event_type, actor, payload, trace_id, created_at, recorded_at, prev_hash, hash)
     SELECT t.id, t.event_id, t.job_id, t.tenant_scene, t.event_type, t.actor,
            CASE WHEN t.j::text = t.p AND to_char(t.c AT TIME ZONE 'UTC', ${TS}) = t.ct THEN t.j
                 ELSE public.dph_audit_noncanonical() END,
            t.trace_id, t.c, $12::timestamptz, t.prev_hash, t.hash
       FROM (SELECT u.*, u.p::jsonb AS j, u.ct::timestamptz AS c
               FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                           $9::text[], $10::text[], $11::text[])
                 AS u(id, event_id, job_id, tenant_scene, event_type, actor, p, trace_id, ct, prev_hash, hash)
             OFFSET 0) t
     ON CONFLICT (event_id) DO NOTHING`);

/** Runs steps 1–3 on a client inside a READ COMMITTED transaction. Throws DA001 on a rendering mismatch. */
export async function appendChained(client: PoolClient, rows: readonly AuditRow[], opts: AppendOptions = {}): Promise<number> {
  const render = opts.renderPayload ?? jsonbText;
  if (rows.length === 0) return 0;
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...AUDIT_CHAIN_LOCK]);
  const head = (await client.query<Head>(HEAD_SQL, [rows.map((r) => r.eventId)])).rows[0]!;
  const seen = new Set(head.known);
  let id = BigInt(head.id ?? '0');
  let prev = head.hash ?? GENESIS_HASH;
  const cols = { id: [] as string[], eventId: [] as string[], jobId: [] as (string | null)[], scene: [] as (string | null)[],
    type: [] as string[], actor: [] as string[], payload: [] as string[], traceId: [] as (string | null)[],
    created: [] as string[], prev: [] as string[], hash: [] as string[] };
  for (const r of rows) {
    if (seen.has(r.eventId)) continue;
    seen.add(r.eventId);
    id += 1n;
    const text: AuditRowText = {
      id: id.toString(), event_id: r.eventId, job_id: r.jobId, tenant_scene: r.tenantScene, event_type: r.eventType,
      actor: r.actor, payload: render(r.payload), trace_id: r.traceId, created_at: canonicalTimestamp(r.occurredAt),
      recorded_at: head.now, prev_hash: prev,
    };
    const hash = auditRowHash(text);
    cols.id.push(text.id);
    cols.eventId.push(text.event_id);
    cols.jobId.push(text.job_id);
    cols.scene.push(text.tenant_scene);
    cols.type.push(text.event_type);
    cols.actor.push(text.actor);
    cols.payload.push(text.payload);
    cols.traceId.push(text.trace_id);
    cols.created.push(text.created_at);
    cols.prev.push(prev);
    cols.hash.push(hash);
    prev = hash;
  }
  if (cols.id.length === 0) return 0;
  const r = await client.query(
    APPEND_SQL,
    [...[cols.id, cols.eventId, cols.jobId, cols.scene, cols.type, cols.actor, cols.payload, cols.traceId, cols.created,
      cols.prev, cols.hash].map(pgTextArray), head.now],
  );
  return r.rowCount ?? 0;
}

/**
 * Appends rows as one transaction (see the header). A batch whose values the database renders differently from
 * the hashed text is written through the chain trigger instead, so the chain never depends on this renderer.
 */
export async function appendAuditRows(pool: Pool, rows: readonly AuditRow[], opts: AppendOptions = {}): Promise<number> {
  try {
    return await withTransaction(pool, (c) => appendChained(c, rows, opts));
  } catch (err) {
    if (pgErrorCode(err) !== AUDIT_NONCANONICAL) throw err;
    return withTransaction(pool, (c) => insertAuditRows(c, rows));
  }
}
