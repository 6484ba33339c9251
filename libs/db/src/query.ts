/**
 * Narrow query surface: data-access modules take a `Queryable` (a pool or a client inside a transaction), so the
 * same function runs standalone or as part of a caller's transaction.
 */
import { DphError } from '@dph/errors';

export interface QueryResultLike<R> {
  rows: R[];
  rowCount: number | null;
}
/**
 * A statement's text under a fixed name: node-postgres prepares it once per connection, after which each call is
 * only bound and executed, and Postgres may keep one generic plan for it. For the hot statements whose planning
 * cost more than running them (the dispatcher's batched CTEs took 1-1.3 ms to plan and 1-3 ms to run). One name,
 * one text: node-postgres refuses the same name with another text on a connection.
 */
export interface PreparedSql {
  readonly name: string;
  readonly text: string;
}

export function prepared(name: string, text: string): PreparedSql {
  return Object.freeze({ name, text });
}

export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string | PreparedSql, values?: unknown[]): Promise<QueryResultLike<R>>;
}

export async function queryRows<R extends object>(q: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  const r = await q.query<R>(text, values);
  return r.rows;
}

export async function queryMaybeOne<R extends object>(
  q: Queryable,
  text: string,
  values: unknown[] = [],
): Promise<R | undefined> {
  const r = await q.query<R>(text, values);
  if (r.rows.length > 1) throw new DphError('internal_error', 'query returned more than one row');
  return r.rows[0];
}

export async function queryOne<R extends object>(q: Queryable, text: string, values: unknown[] = []): Promise<R> {
  const row = await queryMaybeOne<R>(q, text, values);
  if (row === undefined) throw new DphError('not_found', 'row not found', { status: 404 });
  return row;
}

/** Rows affected by an INSERT/UPDATE/DELETE: a conditional transition that matched nothing returns 0. */
export async function execute(q: Queryable, text: string, values: unknown[] = []): Promise<number> {
  const r = await q.query(text, values);
  return r.rowCount ?? 0;
}

/** Postgres SQLSTATE of an error thrown by pg, if any. */
export function pgErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_SERIALIZATION_FAILURE = '40001';
export const PG_DEADLOCK = '40P01';
export const PG_INSUFFICIENT_PRIVILEGE = '42501';
