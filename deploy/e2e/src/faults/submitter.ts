/**
 * The fault suite's client: submits small jobs with bounded concurrency at a steady pace and keeps retrying a
 * refused submission (network error, 5xx, 429) with the SAME idempotency key until a 2xx comes back, so an
 * outage can neither lose an accepted job nor create a second one.
 */
import type { ObjectStore } from '@dph/storage';
import { ApiError, type ApiClient } from '@dph/testkit';
import { stageInnerRef, submitJob, type SubmitVia } from '../submit.js';

export interface SubmitStats {
  attempted: number;
  accepted: Map<string, string>; // idempotency key → jobId
  replayed: number; // 2xx after an earlier attempt of the same key (replay or first success after outage)
  conflicts: number; // 409 duplicate_idempotency_key on a retry: the original job is taken as accepted
  retries: number;
  retryCauses: Map<string, number>;
  rejected: Map<string, number>; // final non-retryable refusals by code
  givenUp: number;
}

export interface SubmitPlan {
  runId: string;
  total: number;
  ratePerSec: number;
  concurrency: number;
  clients: ApiClient[];
  store: ObjectStore;
  rawBucket: string;
  scene: string;
  /** Stop retrying a submission after this instant (the suite's own bound). */
  deadline: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export async function runSubmitter(p: SubmitPlan, onProgress?: (s: SubmitStats) => void): Promise<SubmitStats> {
  const s: SubmitStats = { attempted: 0, accepted: new Map(), replayed: 0, conflicts: 0, retries: 0, retryCauses: new Map(), rejected: new Map(), givenUp: 0 };
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= p.total) return;
      // Pace: job i is not started before its slot at the fixed rate.
      const slot = t0 + (i * 1000) / p.ratePerSec;
      if (slot > Date.now()) await sleep(slot - Date.now());
      await submitOne(p, s, i);
      if (i % 100 === 0) onProgress?.(s);
    }
  };
  await Promise.all(Array.from({ length: p.concurrency }, worker));
  return s;
}

async function submitOne(p: SubmitPlan, s: SubmitStats, i: number): Promise<void> {
  const key = `${p.runId}-${i}`;
  const api = p.clients[i % p.clients.length]!;
  const body = Buffer.from(`# Fault suite document ${i}\n\nRun ${p.runId}. Plain text without personal data.\n\n| a | b |\n|---|---|\n| ${i} | ${i * 2} |\n`);
  const doc = { name: `doc-${i}.md`, contentType: 'text/markdown', body, scene: p.scene, businessRef: `${p.runId}/${i}`, idempotencyKey: key };
  const useRef = i % 2 === 1;
  let via: SubmitVia | undefined = useRef ? undefined : { type: 'direct_upload' };
  s.attempted++;
  for (let attempt = 0; ; attempt++) {
    try {
      // Staging is the caller's upload to its own bucket; it is retried with the submission when MinIO is down.
      via ??= { type: 'inner_oss_ref', ref: await stageInnerRef(p.store, p.rawBucket, `fault-inbox/${p.runId}/${i}.md`, doc) };
      const a = await submitJob(api, doc, via);
      s.accepted.set(key, a.jobId);
      if (attempt > 0) s.replayed++;
      return;
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      const code = err instanceof ApiError ? (err.problem.error ?? String(status)) : via ? 'network' : 'staging';
      if (status === 409 && err instanceof ApiError && typeof (err.problem as { existingJobId?: unknown }).existingJobId === 'string') {
        // Same key, a request the API fingerprints differently (e.g. a re-staged reference): the original stands.
        s.conflicts++;
        s.accepted.set(key, (err.problem as { existingJobId: string }).existingJobId);
        return;
      }
      const retryable = status === 0 || status === 429 || status >= 500;
      if (!retryable) {
        bump(s.rejected, code);
        return;
      }
      if (Date.now() > p.deadline) {
        s.givenUp++;
        bump(s.rejected, `gave_up_${code}`);
        return;
      }
      s.retries++;
      bump(s.retryCauses, code);
      await sleep(Math.min(3_000, 200 * 2 ** Math.min(attempt, 4)) + Math.random() * 200);
    }
  }
}
