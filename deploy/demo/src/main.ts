/**
 * `npm run demo`: brings the local stack up, registers a webhook to a local verifying receiver, submits the
 * sample documents through the real API with every source type, shows progress, and prints what happened to
 * each document. Leaves the stack running.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient, ApiError, FormData, apiUrl, caCert, devAccessToken, requireStack, stackEnv, stackPaths, startSampleServer } from '@dph/testkit';
import { objectStoreFromConfig, storageConfigFromEnv } from '@dph/storage';
import { startReceiver } from './receiver.js';
import { loadSamples, type Sample } from './samples.js';
import { printReport, type Outcome } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const t0 = Date.now();
const say = (msg: string) => console.log(`[demo ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

interface JobView { jobId: string; status: string; progress: number; errorCode: string | null; resultUrls: { md: string; json: string; chunks: string } | null }
interface AuditPage { items: Array<{ eventType: string; payload: Record<string, unknown> }>; nextCursor: string | null }

async function main(): Promise<void> {
  say('bringing the local stack up (the first run installs packages and builds MinIO; that takes minutes)');
  const up = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', join(root, 'deploy/stack/src/main.ts'), 'up'], { stdio: 'inherit', cwd: root });
  if (up.status !== 0) throw new Error('the local stack did not come up; see its output above');
  requireStack();

  const env = stackEnv();
  const ca = caCert();
  const tls = { cert: readFileSync(join(stackPaths().dir, 'tls', 'server.crt')), key: readFileSync(join(stackPaths().dir, 'tls', 'server.key')) };
  let token: { value: string; at: number } | undefined;
  const api = new ApiClient({
    baseUrl: apiUrl(),
    ca,
    token: async () => {
      if (!token || Date.now() - token.at > 30 * 60_000) token = { value: await devAccessToken('alice'), at: Date.now() };
      return token.value;
    },
  });
  const receiver = await startReceiver(tls);
  const samples = await loadSamples(root);
  const sampleServer = await startSampleServer(tls, samples);
  const { store, close: closeStore } = objectStoreFromConfig(storageConfigFromEnv(env));

  try {
    say(`signed in as "alice" with a token from the local identity provider (${env.DPH_OIDC_ISSUER})`);
    const sub = await api.request<{ subscriptionId: string; secret: string }>('POST', '/v1/webhooks', {
      scene: 'credit',
      body: JSON.stringify({ tenantScene: 'credit', callbackUrl: receiver.url, eventFilter: ['job.succeeded', 'job.failed'] }),
    });
    receiver.setSecret(sub.secret);
    say(`webhook ${sub.subscriptionId} registered to ${receiver.url} (both signature schemes are verified)`);

    const runId = Date.now().toString(36);
    const jobs: Array<{ sample: Sample; jobId: string }> = [];
    for (const [i, sample] of samples.entries()) {
      const jobId = await submit(api, store, env.DPH_BUCKET_RAW ?? 'dph-raw', sample, `demo-${runId}-${i}`, sampleServer.urlOf(sample));
      jobs.push({ sample, jobId });
      say(`submitted ${sample.name} via ${sample.source} → job ${jobId}`);
    }

    const finals = await Promise.all(jobs.map((j) => follow(api, j.sample, j.jobId)));
    say('all jobs finished; waiting for their webhooks');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !jobs.every((j) => receiver.events.some((e) => e.jobId === j.jobId))) await sleep(250);

    const outDir = join(stackPaths().dir, 'demo', runId);
    mkdirSync(outDir, { recursive: true });
    const outcomes: Outcome[] = [];
    for (const [i, j] of jobs.entries()) {
      const view = finals[i]!;
      const audit = await api.request<AuditPage>('GET', `/v1/jobs/${j.jobId}/audit?limit=200`, { scene: j.sample.scene });
      const pii: Record<string, number> = {};
      for (const e of audit.items) if (e.eventType === 'pii_hit') pii[String(e.payload.entity_type)] = (pii[String(e.payload.entity_type)] ?? 0) + 1;
      let chunks = 0;
      let redactedPath: string | undefined;
      if (view.resultUrls) {
        const md = await api.download(view.resultUrls.md);
        redactedPath = join(outDir, `${j.sample.name}.md`);
        writeFileSync(redactedPath, md);
        chunks = (JSON.parse(await api.download(view.resultUrls.chunks)) as { chunks: unknown[] }).chunks.length;
      }
      const hook = receiver.events.find((e) => e.jobId === j.jobId);
      outcomes.push({
        name: j.sample.name,
        source: j.sample.source,
        jobId: j.jobId,
        status: view.status,
        errorCode: view.errorCode,
        pii,
        chunks,
        webhook: hook ? (hook.verifiedDph && hook.verifiedStandard ? 'verified (both schemes)' : 'unverified') : 'not received',
        auditEvents: audit.items.length,
        redactedPath: redactedPath ? relative(root, redactedPath) : undefined,
      });
    }
    // The receiver goes away with this process: leave no subscription behind that would only collect retries.
    await api.request('DELETE', `/v1/webhooks/${sub.subscriptionId}`, { scene: 'credit' }).catch(() => undefined);
    printReport(outcomes, { apiUrl: apiUrl(), caFile: stackPaths().caFile });
    if (outcomes.some((o) => o.status !== 'succeeded' || o.webhook !== 'verified (both schemes)')) process.exitCode = 1;
  } finally {
    await Promise.allSettled([receiver.close(), sampleServer.close(), api.close()]);
    closeStore();
  }
}

async function submit(api: ApiClient, store: import('@dph/storage').ObjectStore, rawBucket: string, s: Sample, idem: string, downloadUrl: string): Promise<string> {
  const headers = { 'x-idempotency-key': idem, 'x-data-classification': 'internal' };
  const business_ref = `demo/${s.name}`;
  if (s.source === 'direct_upload') {
    const form = new FormData();
    form.append('business_ref', business_ref);
    form.append('priority', '5');
    form.append('file', new Blob([s.body], { type: s.contentType }), s.name);
    return (await api.request<{ jobId: string }>('POST', '/v1/jobs', { scene: s.scene, headers, body: form })).jobId;
  }
  let url_or_ref = downloadUrl;
  if (s.source === 'inner_oss_ref') {
    const key = `demo-inbox/${idem}/${encodeURIComponent(s.name)}`;
    await store.put(rawBucket, key, s.body, { contentType: s.contentType });
    url_or_ref = `s3://${rawBucket}/${key}`;
  }
  const body = JSON.stringify({ business_ref, priority: 5, source: { type: s.source, url_or_ref } });
  return (await api.request<{ jobId: string }>('POST', '/v1/jobs', { scene: s.scene, headers, body })).jobId;
}

/** Long-polls one job until it is terminal, printing each status change. */
async function follow(api: ApiClient, s: Sample, jobId: string): Promise<JobView> {
  let last = '';
  const deadline = Date.now() + 120_000;
  for (;;) {
    const view = await api.request<JobView>('GET', `/v1/jobs/${jobId}?wait=10`, { scene: s.scene });
    const now = `${view.status} ${view.progress}%`;
    if (now !== last) say(`${s.name.padEnd(24)} ${view.status.padEnd(9)} ${String(view.progress).padStart(3)}%${view.errorCode ? ` (${view.errorCode})` : ''}`);
    last = now;
    if (TERMINAL.has(view.status)) return view;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish within 2 minutes`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  const msg = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
  console.error(`[demo] failed: ${msg}`);
  process.exit(1);
});
