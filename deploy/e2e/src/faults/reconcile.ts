/** Reconciles like a queue checker: database, result objects, webhook deliveries, audit rows. */
import type pg from 'pg';
import { parsedKeys } from '@dph/contracts';
import type { ObjectStore } from '@dph/storage';
import type { Delivery } from '../receiver.js';

export interface JobRow {
  job_id: string;
  status: string;
  error_code: string | null;
  tenant_scene: string;
  created_at: Date;
  business_ref: string;
}

const TERMINAL = ['succeeded', 'failed', 'cancelled'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until every accepted job is terminal (or the deadline); returns the rows of this run. */
export async function waitTerminal(db: pg.Pool, runId: string, jobIds: string[], deadline: number, log: (m: string) => void): Promise<JobRow[]> {
  for (;;) {
    const { rows } = await db.query<JobRow>(
      `SELECT job_id, status, error_code, tenant_scene, created_at, business_ref FROM jobs WHERE business_ref LIKE $1`,
      [`${runId}/%`],
    );
    const byId = new Map(rows.map((r) => [r.job_id, r]));
    const open = jobIds.filter((id) => !TERMINAL.includes(byId.get(id)?.status ?? ''));
    if (open.length === 0 || Date.now() > deadline) return rows;
    log(`reconcile: ${open.length} accepted jobs not terminal yet`);
    await sleep(3_000);
  }
}

export interface AuditCounts {
  terminalEvents: Map<string, number>;
  submitted: Map<string, number>;
}

export async function auditCounts(db: pg.Pool, jobIds: string[]): Promise<AuditCounts> {
  const { rows } = await db.query<{ job_id: string; t: string; s: string }>(
    `SELECT job_id, count(*) FILTER (WHERE event_type IN ('succeeded','failed','cancelled')) AS t,
            count(*) FILTER (WHERE event_type = 'submitted') AS s
       FROM audit_events WHERE job_id = ANY($1) GROUP BY job_id`,
    [jobIds],
  );
  return { terminalEvents: new Map(rows.map((r) => [r.job_id, Number(r.t)])), submitted: new Map(rows.map((r) => [r.job_id, Number(r.s)])) };
}

/** HeadObject for the three result objects of every succeeded job (bounded concurrency). Returns the misses. */
export async function missingResults(store: ObjectStore, bucket: string, jobs: JobRow[]): Promise<string[]> {
  const missing: string[] = [];
  let i = 0;
  const worker = async () => {
    for (;;) {
      const j = jobs[i++];
      if (!j) return;
      const keys = parsedKeys(j.tenant_scene, j.created_at, j.job_id);
      for (const k of [keys.md, keys.json, keys.chunks]) {
        try {
          await store.head(bucket, k);
        } catch {
          missing.push(k);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return missing;
}

export interface WebhookTally {
  missing: string[]; // job ids whose terminal event never arrived
  duplicatedDeliveries: number; // extra arrivals of an already seen webhook-id
  splitIds: number; // one job event delivered under two different webhook-ids (not allowed)
}

export function tallyWebhooks(deliveries: Delivery[], jobs: JobRow[]): WebhookTally {
  const byId = new Map<string, number>();
  const idsPerEvent = new Map<string, Set<string>>();
  for (const d of deliveries) {
    byId.set(d.webhookId, (byId.get(d.webhookId) ?? 0) + 1);
    const k = `${d.jobId}|${d.type}`;
    if (!idsPerEvent.has(k)) idsPerEvent.set(k, new Set());
    idsPerEvent.get(k)!.add(d.webhookId);
  }
  let duplicatedDeliveries = 0;
  for (const n of byId.values()) duplicatedDeliveries += n - 1;
  let splitIds = 0;
  for (const s of idsPerEvent.values()) if (s.size > 1) splitIds++;
  const missing = jobs.filter((j) => TERMINAL.includes(j.status) && j.status !== 'cancelled' && !idsPerEvent.has(`${j.job_id}|job.${j.status}`)).map((j) => j.job_id);
  return { missing, duplicatedDeliveries, splitIds };
}
