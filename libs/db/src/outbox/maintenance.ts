import type { Queryable } from '../query.js';

/** Deletes published outbox rows older than the retention, in bounded chunks so no single delete runs long. */
export async function cleanupOutbox(
  q: Queryable,
  opts: { retentionMs: number; chunk?: number; maxChunks?: number },
): Promise<number> {
  const chunk = opts.chunk ?? 5_000;
  let total = 0;
  for (let i = 0; i < (opts.maxChunks ?? 20); i++) {
    const r = await q.query(
      `DELETE FROM public.outbox WHERE id IN (
         SELECT id FROM public.outbox
          WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)
          ORDER BY published_at LIMIT $2)`,
      [opts.retentionMs / 1000, chunk],
    );
    const n = r.rowCount ?? 0;
    total += n;
    if (n < chunk) break;
  }
  return total;
}

export interface OutboxBacklog {
  pending: number;
  parked: number;
  oldestPendingAgeSeconds: number;
}

/** For gauges: rows waiting, rows parked, and the age of the oldest waiting row. */
export async function outboxBacklog(q: Queryable): Promise<OutboxBacklog> {
  const { rows } = await q.query<{ pending: string; parked: string; age: number | null }>(
    `SELECT count(*) FILTER (WHERE available_at <> 'infinity') AS pending,
            count(*) FILTER (WHERE available_at = 'infinity') AS parked,
            extract(epoch FROM now() - min(created_at) FILTER (WHERE available_at <> 'infinity'))::float8 AS age
       FROM public.outbox WHERE published_at IS NULL`,
  );
  const r = rows[0]!;
  return { pending: Number(r.pending), parked: Number(r.parked), oldestPendingAgeSeconds: r.age ?? 0 };
}

/** Deletes processed_events entries older than the retention (longer than any redelivery can take). */
export async function cleanupProcessedEvents(q: Queryable, opts: { retentionMs: number }): Promise<number> {
  const r = await q.query('DELETE FROM public.processed_events WHERE processed_at < now() - make_interval(secs => $1)', [
    opts.retentionMs / 1000,
  ]);
  return r.rowCount ?? 0;
}

/** Deletes expired idempotency records (runs under the API role, so call it inside each scene or as owner). */
export async function cleanupIdempotency(q: Queryable): Promise<number> {
  const r = await q.query('DELETE FROM public.idempotency_records WHERE expires_at < now()');
  return r.rowCount ?? 0;
}
