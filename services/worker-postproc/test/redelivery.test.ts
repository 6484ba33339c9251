import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createJob, deleteZone, enqueue, objectsOf, openStack, outboxEvents, readObject, runWorker, settings, waitForStatus, zoneName, type Stack } from './harness.js';
import type { RunningWorker } from '../src/worker.js';
import * as fx from '@dph/parsing/testing';

let stack: Stack;
const zones: string[] = [];
const workers: RunningWorker[] = [];

before(async () => {
  stack = await openStack();
});
after(async () => {
  for (const w of workers) await w.stop();
  for (const z of zones) await deleteZone(stack, z);
  await stack?.close();
});

function crashWorker(zone: string, stage: string): Promise<NodeJS.Signals | null> {
  const script = fileURLToPath(new URL('./crash-worker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, zone, stage], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
}

for (const stage of ['fetched', 'stored'] as const) {
  test(`a worker killed (${stage}) mid-job: redelivered, one set of results, one terminal state, no duplicate events`, async () => {
    const zone = zoneName('kill');
    zones.push(zone);
    const setup = await runWorker(stack, settings(stack, zone));
    await setup.stop();
    const job = await createJob(stack, fx.md, { filename: 'k.md' });
    await enqueue(stack, zone, job.task);
    assert.equal(await crashWorker(zone, stage), 'SIGKILL');
    const mid = await waitForStatus(stack, job.jobId, ['parsing', 'postproc']);
    assert.equal(mid.status, stage === 'stored' ? 'postproc' : 'parsing', 'the killed worker left the job active');
    if (stage === 'stored') assert.equal((await objectsOf(stack, job)).length, 3, 'objects were written before the kill');

    const w = await runWorker(stack, settings(stack, zone));
    workers.push(w);
    const row = await waitForStatus(stack, job.jobId, ['succeeded', 'failed']);
    assert.equal(row.status, 'succeeded');
    assert.deepEqual(await objectsOf(stack, job), Object.values(job.keys).sort(), 'exactly one set of result objects');
    const md = await readObject(stack, job.keys.md);
    assert.ok(!md.includes(fx.PII.email));
    const events = await outboxEvents(stack, job.jobId);
    const count = (t: string) => events.filter((e) => e.type === t).length;
    for (const t of ['dph.job.parsing', 'dph.job.postproc', 'dph.job.succeeded', 'dph.audit.routed', 'dph.audit.parsing_started', 'dph.audit.parsed', 'dph.audit.succeeded']) assert.equal(count(t), 1, t);
    const counts = row.pii_counts as Record<string, number>;
    const mdHits = events.filter((e) => e.type === 'dph.audit.pii_hit' && (e.data.payload as { artifact: string }).artifact === 'md').length;
    assert.equal(mdHits, Object.values(counts).reduce((a, b) => a + b, 0), 'pii_hit events not duplicated');
  });
}
