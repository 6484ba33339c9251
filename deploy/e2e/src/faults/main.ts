/**
 * `npm run test:faults`: the no-loss fault suite. Submits small jobs at a steady pace while, in turn, each
 * service is killed with SIGKILL and brought back, and RabbitMQ, Postgres and MinIO are restarted; then
 * reconciles every accepted job (one terminal state, three result objects, a webhook per terminal event, audit
 * rows, an intact audit chain) and prints the counts. Loopback only; stops by itself (hard bound below); leaves
 * the stack running and healthy. Exit 1 on any loss or anything unexpected.
 *
 * Knobs: DPH_FAULTS_JOBS (default 2000), DPH_FAULTS_RATE (jobs/s, default 8), DPH_FAULTS_GAP_S (seconds
 * between faults, default 8).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { objectStoreFromConfig, storageConfigFromEnv } from '@dph/storage';
import { pgAdminClientConfig, requireStack, serviceEnv, stackEnv } from '@dph/testkit';
import { clientFor } from '../client.js';
import { startRecordingReceiver } from '../receiver.js';
import { queueDepths, restartComponentAsync, ROOT, stackStatusAsync } from '../stack.js';
import { peekQueue } from '../broker-tap.js';
import { runChaos, type FaultRecord } from './chaos.js';
import { runSubmitter } from './submitter.js';
import { auditCounts, missingResults, tallyWebhooks, waitTerminal } from './reconcile.js';

const HARD_LIMIT_MS = 11.5 * 60_000;
const t0 = Date.now();
const say = (m: string) => console.log(`[faults ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${m}`);
const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ensureHealthy(): Promise<string[]> {
  const fixed: string[] = [];
  for (let round = 0; round < 2; round++) {
    const st = await stackStatusAsync();
    const bad = Object.entries(st.components).filter(([, c]) => c.state !== 'running' || c.ready === false).map(([n]) => n);
    if (bad.length === 0) return fixed;
    for (const n of bad) {
      say(`healing: ${n} is not running/ready; restarting it`);
      const r = await restartComponentAsync(n);
      fixed.push(`${n}:${r.ok ? 'restarted' : 'restart failed'}`);
    }
  }
  return fixed;
}

async function auditVerify(): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(ROOT, 'libs/cli/src/main.ts'), 'audit', 'verify', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...serviceEnv('admin') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, text: text.trim() });
    });
  });
}

async function main(): Promise<number> {
  requireStack();
  const total = num(process.env.DPH_FAULTS_JOBS, 2000);
  const rate = num(process.env.DPH_FAULTS_RATE, 8);
  const gapMs = num(process.env.DPH_FAULTS_GAP_S, 8) * 1000;
  const runId = `faults-${Date.now().toString(36)}`;
  const scene = 'credit';
  const env = stackEnv();
  const { store, close: closeStore } = objectStoreFromConfig(storageConfigFromEnv(env));
  const db = new pg.Pool({ ...pgAdminClientConfig(), max: 3 });
  db.on('error', () => undefined); // Postgres restarts on purpose; queries retry below.
  const clients = (['alice', 'bob', 'olivia'] as const).map((id) => clientFor(id));
  const receiver = await startRecordingReceiver();
  const problems: string[] = [];
  let faults: FaultRecord[];
  let subscriptionId = '';
  try {
    await ensureHealthy();
    const sub = await clients[0]!.request<{ subscriptionId: string; secret: string }>('POST', '/v1/webhooks', {
      scene,
      body: JSON.stringify({ tenantScene: scene, callbackUrl: receiver.url, eventFilter: ['job.succeeded', 'job.failed', 'job.cancelled'] }),
    });
    subscriptionId = sub.subscriptionId;
    receiver.addSecret(sub.secret);
    const dlqBefore = await queueDepths();
    say(`run ${runId}: ${total} jobs at ${rate}/s over ~${Math.round(total / rate)} s, faults every ${gapMs / 1000} s; webhook ${receiver.url}`);

    let submitting = true;
    const submitDeadline = t0 + 7 * 60_000;
    const chaos = runChaos({ gapMs, downMs: 3_000, log: say, stopped: () => !submitting && Date.now() > submitDeadline });
    const stats = await runSubmitter(
      { runId, total, ratePerSec: rate, concurrency: 12, clients, store, rawBucket: env.DPH_BUCKET_RAW ?? 'dph-raw', scene, deadline: submitDeadline },
      (s) => say(`submitted ${s.accepted.size}/${total} (retries ${s.retries})`),
    );
    submitting = false;
    faults = await chaos;
    say(`submission done: ${stats.accepted.size} accepted; faults done; checking the stack is healthy`);
    const healed = await ensureHealthy();
    if (healed.length) problems.push(`services not healthy after the faults (healed: ${healed.join(', ')})`);

    const jobIds = [...stats.accepted.values()];
    const rows = await retryDb(() => waitTerminal(db, runId, jobIds, Math.min(t0 + HARD_LIMIT_MS - 150_000, Date.now() + 180_000), say));
    const byId = new Map(rows.map((r) => [r.job_id, r]));
    const lost = jobIds.filter((id) => !['succeeded', 'failed', 'cancelled'].includes(byId.get(id)?.status ?? ''));
    const perRef = new Map<string, number>();
    for (const r of rows) perRef.set(r.business_ref, (perRef.get(r.business_ref) ?? 0) + 1);
    const duplicateJobs = [...perRef.values()].reduce((a, n) => a + (n - 1), 0);
    const unaccounted = rows.filter((r) => !new Set(jobIds).has(r.job_id)).length;
    const succeeded = rows.filter((r) => r.status === 'succeeded' && byId.has(r.job_id));
    const failedByCode = new Map<string, number>();
    for (const r of rows) if (r.status === 'failed') failedByCode.set(r.error_code ?? 'none', (failedByCode.get(r.error_code ?? 'none') ?? 0) + 1);

    say(`checking result objects of ${succeeded.length} succeeded jobs`);
    const missingObjs = await missingResults(store, env.DPH_BUCKET_PARSED ?? 'dph-parsed', succeeded);

    say('waiting for webhooks and audit rows of every terminal job');
    const settleDeadline = Math.min(t0 + HARD_LIMIT_MS - 60_000, Date.now() + 120_000);
    let hooks = tallyWebhooks(receiver.deliveries, rows);
    let audit = await retryDb(() => auditCounts(db, jobIds));
    const auditGaps = () => jobIds.filter((id) => audit.terminalEvents.get(id) !== 1 || audit.submitted.get(id) !== 1);
    const initiallyOpen = lost.length;
    while ((hooks.missing.length > 0 || auditGaps().length > 0 || lost.length > 0) && Date.now() < settleDeadline) {
      say(`  not terminal yet: ${lost.length}; webhooks missing for ${hooks.missing.length} jobs; audit incomplete for ${auditGaps().length} jobs`);
      await sleep(5_000);
      const fresh = await retryDb(() => waitTerminal(db, runId, jobIds, 0, () => undefined));
      const freshById = new Map(fresh.map((r) => [r.job_id, r]));
      lost.splice(0, lost.length, ...lost.filter((id) => !['succeeded', 'failed', 'cancelled'].includes(freshById.get(id)?.status ?? '')));
      hooks = tallyWebhooks(receiver.deliveries, fresh);
      audit = await retryDb(() => auditCounts(db, jobIds));
    }
    // Late is not lost: read the jobs once more after the settle wait and judge on that.
    const finalRows = await retryDb(() => waitTerminal(db, runId, jobIds, 0, () => undefined));
    const finalById = new Map(finalRows.map((r) => [r.job_id, r]));
    lost.splice(0, lost.length, ...lost.filter((id) => !['succeeded', 'failed', 'cancelled'].includes(finalById.get(id)?.status ?? '')));
    hooks = tallyWebhooks(receiver.deliveries, finalRows);
    const late = initiallyOpen - lost.length;
    const twoTerminal = jobIds.filter((id) => (audit.terminalEvents.get(id) ?? 0) > 1).length;
    const noTerminalAudit = jobIds.filter((id) => (audit.terminalEvents.get(id) ?? 0) === 0).length;
    const noSubmittedAudit = jobIds.filter((id) => (audit.submitted.get(id) ?? 0) !== 1).length;

    say('verifying the audit chain (dph audit verify)');
    const chain = await auditVerify();
    const dlqAfter = await queueDepths();
    const dlqGrowth = [...dlqAfter].filter(([q, n]) => q.endsWith('.dlq') && !q.includes('.test.') && !/\.parse\.(fail|pol)-/.test(q) && n > (dlqBefore.get(q) ?? 0)).map(([q, n]) => `${q} +${n - (dlqBefore.get(q) ?? 0)}`);

    // ---- report
    const line = (k: string, v: unknown) => console.log(`  ${k.padEnd(38)} ${String(v)}`);
    console.log('\nfault suite results');
    for (const f of faults) line(`fault ${f.fault}`, `${f.ok ? 'ok' : 'FAILED'} (${(f.ms / 1000).toFixed(1)} s; ${f.detail})`);
    line('jobs planned', total);
    line('accepted (a 2xx came back)', stats.accepted.size);
    line('  accepted after a retry', stats.replayed);
    line('  409 on retry → original job kept', stats.conflicts);
    line('submission retries (by cause)', `${stats.retries} ${JSON.stringify(Object.fromEntries(stats.retryCauses))}`);
    line('refused for good (by code)', JSON.stringify(Object.fromEntries(stats.rejected)));
    line('succeeded', finalRows.filter((r) => r.status === 'succeeded').length);
    line('failed (by code)', `${[...failedByCode.values()].reduce((a, b) => a + b, 0)} ${JSON.stringify(Object.fromEntries(failedByCode))}`);
    line('cancelled', rows.filter((r) => r.status === 'cancelled').length);
    line('LOST (accepted, never terminal)', lost.length);
    line('  terminal only after the first deadline', late);
    line('duplicate jobs (same idempotency key)', duplicateJobs);
    line('jobs nobody was told about', unaccounted);
    line('succeeded without all 3 result objects', new Set(missingObjs.map((k) => k.split('/')[5])).size);
    line('webhook deliveries received', receiver.deliveries.length);
    line('terminal events without a delivery', hooks.missing.length);
    line('duplicated deliveries (same webhook-id)', hooks.duplicatedDeliveries);
    line('one event under two webhook-ids', hooks.splitIds);
    line('deliveries failing verification', receiver.rejected);
    line('jobs with >1 terminal audit event', twoTerminal);
    line('jobs without a terminal audit event', noTerminalAudit);
    line('jobs without exactly one submitted event', noSubmittedAudit);
    line('audit chain', chain.ok ? `intact ${chain.text.slice(0, 160)}` : `BROKEN/ERROR ${chain.text.slice(0, 300)}`);
    line('dead-letter queues that grew', dlqGrowth.length ? dlqGrowth.join(', ') : 'none');

    if (lost.length) problems.push(`${lost.length} accepted jobs lost (e.g. ${lost.slice(0, 3).join(', ')})`);
    if (duplicateJobs) problems.push(`${duplicateJobs} duplicate jobs`);
    if (unaccounted) problems.push(`${unaccounted} jobs exist that no 2xx announced`);
    if (missingObjs.length) problems.push(`${missingObjs.length} result objects missing (e.g. ${missingObjs[0]})`);
    if (hooks.missing.length) problems.push(`${hooks.missing.length} terminal events never delivered to the subscribed endpoint`);
    if (hooks.splitIds) problems.push(`${hooks.splitIds} events delivered under different webhook-ids`);
    if (receiver.rejected) problems.push(`${receiver.rejected} deliveries failed signature verification`);
    if (twoTerminal) problems.push(`${twoTerminal} jobs with more than one terminal audit event`);
    if (noTerminalAudit || noSubmittedAudit) problems.push(`audit trail incomplete: ${noTerminalAudit} jobs without a terminal event, ${noSubmittedAudit} without exactly one submitted event`);
    if (!chain.ok) problems.push('audit chain verification failed');
    if (faults.some((f) => !f.ok)) problems.push('a fault could not be recovered by the stack');
    if (faults.length < 7) problems.push(`only ${faults.length} of 7 faults ran`);
    if (stats.accepted.size < total) problems.push(`only ${stats.accepted.size} of ${total} submissions accepted`);
    // The stack is shared: a dead letter counts against this run only when it names one of this run's jobs.
    const ours = new Set(jobIds);
    for (const q of dlqGrowth.map((g) => g.split(' ')[0]!)) {
      const bodies = await peekQueue(q).catch(() => [] as string[]);
      const mine = bodies.filter((b) => [...b.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g)].some((m) => ours.has(m[0])) || b.includes(runId));
      if (mine.length) problems.push(`${mine.length} dead letters of this run in ${q}`);
      else say(`note: ${q} grew, but none of its ${bodies.length} messages belongs to this run (another suite's)`);
    }
  } finally {
    if (subscriptionId) await clients[0]!.request('DELETE', `/v1/webhooks/${subscriptionId}`, { scene }).catch(() => undefined);
    const healed = await ensureHealthy().catch((e: unknown) => [`status failed: ${String(e)}`]);
    if (healed.length) say(`final healing: ${healed.join(', ')}`);
    await Promise.allSettled([receiver.close(), db.end(), ...clients.map((c) => c.close())]);
    closeStore();
  }
  console.log(problems.length ? `\nFAULT SUITE FAILED:\n  - ${problems.join('\n  - ')}` : '\nFAULT SUITE PASSED: no loss, no duplicates, nothing unexpected');
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return problems.length ? 1 : 0;
}

async function retryDb<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 20) throw e;
      await sleep(1_000);
    }
  }
}

// The suite is bounded: whatever happens, it stops (and heals the stack) before the hard limit.
const watchdog = setTimeout(() => {
  console.error(`[faults] hard time limit (${HARD_LIMIT_MS / 60_000} min) reached; stopping`);
  void ensureHealthy().finally(() => process.exit(1));
}, HARD_LIMIT_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[faults] failed: ${err instanceof Error ? err.message : String(err)}`);
    void ensureHealthy().finally(() => process.exit(1));
  },
);
